"""Vocabularies for the synthetic `3-1-1-inquiry-volume` export.

Department shares come from the packaged reference file (real 2023/2024 shares); the
inquiry types are modelled on the real `3-1-1-service-requests` type names. A type
entry is ``"Name"`` (active for the department's whole life) or ``"Name|FROM-TO"``
with either year optional: ``|-2015`` retired after 2015, ``|2018-`` new in 2018.
Types are listed biggest first: the generator gives them Zipf-like weights.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files

SHARE_FILE = "inquiry-volume_department-share_2023-2024.tsv"
FIRST_YEAR = 2009
ZZ_OLD = "ZZ OLD - "
CHANNELS: tuple[str, ...] = ("Phone", "Chat", "E-mail", "Social Media", "Mail")

# Old name -> (current name, first month of the current name). The real export
# keeps the name a department had at the time of each row.
RENAMES: dict[str, tuple[str, str]] = {
    "ENG - Waste Management & Resource Recovery": ("ENG - Sanitation Services", "2017-01"),
    "CSG - Licence Office": ("DBL - Licence Office", "2016-07"),
    "PDS - Building Inspections": ("DBL - Building Inspections", "2016-07"),
    "PDS - Development and Building Services Centre": ("DBL - Services Centre", "2016-07"),
    "CSG - Housing and Homelessness Services": (
        "ACCS - Homelessness Service and Affordable Housing", "2017-09"),
    "CSG - Cultural Services": ("ACCS - Cultural Services", "2017-09"),
}

# First month of departments created after 3-1-1 launched (January 2009).
DEPARTMENT_START: dict[str, str] = {
    "FSC - Vacancy Tax": "2017-01",
    "DBL - Proactive Enforcement": "2019-01",
    "DBL - Arboriculture Inspection": "2016-07",
    "ENG - Kent Construction Supplies and Services": "2014-01",
    "ENG - Neighbourhood Energy Branch": "2012-01",
    "ENG - Transit Integrations and Projects": "2019-01",
    "ENG - Community Transportation Branch": "2021-01",
    "VFRS - Emergency Communication and Technology": "2015-01",
    "CMO - Civic Engagement and Communications": "2016-01",
    "PDS - Housing Policy": "2015-01",
    "FIFA World Cup 2026": "2023-01",
}

# Department -> (peak calendar month, amplitude) of its yearly cycle.
SEASONS: dict[str, tuple[int, float]] = {
    "FSC - Property Tax": (6, 0.6),  # tax notices in May, due early July
    "FSC - Vacancy Tax": (2, 0.8),  # declaration deadline
    "ENG - Sanitation Services": (1, 0.25),  # holiday schedules, tree pickup
    "DBL - Licence Office": (1, 0.4),  # licence renewals
    "DBL - Animal Services": (2, 0.3),  # dog licences
    "PR - Recreation Administration": (9, 0.3),  # fall registration
    "PR - Recreation Facilities": (7, 0.3),
    "PR - Park Operations": (7, 0.3),
    "PR - Park Rangers": (7, 0.4),
    "PR - Urban Forestry": (11, 0.3),  # windstorms
    "ENG - Streets Operations": (12, 0.3),
    "ENG - Kent Construction Supplies and Services": (1, 0.9),  # snow bylaw
    "ENG - Waterworks Design": (7, 0.4),  # lawn sprinkling
    "CMO - Business and Election Services": (10, 0.3),
}

# One-off spikes: (current department, type, month, extra inquiries that month).
# The Empty Homes Tax launch gives the dataset's largest single row (~25,000).
SURGES: tuple[tuple[str, str, str, float], ...] = (
    ("FSC - Vacancy Tax", "Empty Homes Tax Declaration Inquiry", "2018-01", 6_000.0),
    ("FSC - Vacancy Tax", "Empty Homes Tax Declaration Inquiry", "2018-02", 24_000.0),
    ("FSC - Vacancy Tax", "Empty Homes Tax Declaration Inquiry", "2018-03", 8_000.0),
    ("FSC - Vacancy Tax", "Empty Homes Tax Declaration Inquiry", "2019-02", 7_000.0),
    ("CMO - Vancouver Emergency Management Agency", "COVID-19 Information Inquiry",
     "2020-03", 5_000.0),
    ("CMO - Vancouver Emergency Management Agency", "COVID-19 Information Inquiry",
     "2020-04", 2_500.0),
    ("ENG - Streets Operations", "Snow and Ice Removal From City Property Case",
     "2017-01", 2_500.0),
    ("ENG - Kent Construction Supplies and Services",
     "Sidewalk Snow and Ice Removal Bylaw Violation Case", "2017-01", 1_500.0),
)

_T = dict[str, tuple[str, ...]]
DEPARTMENT_TYPES: _T = {
    "FSC - Property Tax": ("Property Tax Account Balance Inquiry", "Property Tax Payment Inquiry",
        "Home Owner Grant Inquiry", "Property Tax Notice Inquiry|-2020",
        "Property Tax Due Date Inquiry|-2015", "Property Tax Deferment Inquiry",
        "Property Tax Request Case|2016-", "Tax Certificate Request Case|-2014",
        "Property Tax Pre-Authorized Withdrawal Inquiry|-2019"),
    "ENG - Sanitation Services": ("Missed Garbage Bin Pickup Case|2013-",
        "Missed Garbage Pickup Case|-2012", "Garbage Bin Request Case",
        "Missed Green Bin Pickup Case|2013-", "Green Bin Request Case|2013-",
        "Food Scrap Collection Program|-2012", "Abandoned Non-Recyclables-Small Case",
        "Collection Schedule Inquiry|-2018", "Abandoned Recyclables Case",
        "Abandoned Non-Recyclables-Large Case", "Yard Trimmings Collection Inquiry|-2012",
        "Abandoned Mattress Case|2015-", "Street Cleaning and Debris Pick Up Case",
        "Sanitation Operations Inquiry Case|2014-", "Dead Animal Pick Up Case",
        "Christmas Tree Collection Inquiry|-2016", "Feces Clean Up Case|2019-",
        "Street Litter Can Case|2014-"),
    "DBL - Building Inspections": ("Building Inspection Request Case",
        "Building Inspection Status Inquiry", "Building Inspection Booking Inquiry|-2017",
        "On-Duty Inspector Inquiry Case|2017-", "Occupancy Permit Inquiry|-2019"),
    "FSC - Vacancy Tax": ("Empty Homes Tax Declaration Inquiry", "Empty Homes Tax Request Case",
        "Empty Homes Tax Exemption Inquiry|-2021",
        "Empty Homes Tax Notice of Complaint Inquiry|2018-",
        "Empty Homes Enforcement Tip Case|2018-"),
    "DBL - Licence Office": ("Business Licence Request Case",
        "Business Licence Renewal Inquiry|-2020", "Dog Licence Inquiry|-2013",
        "Business Licence Change of Use (Five Uses) Case|2016-",
        "Short-Term Rental Licence Inquiry|2018-"),
    "DBL - Services Centre": ("Building and Development Inquiry Case", "Permit Status Inquiry",
        "Building Permit Application Inquiry", "Development Permit Application Inquiry|-2019",
        "Tenant Improvement Program Request Case|2019-"),
    "ENG - Parking Enforcement and Operations": ("Parking Enforcement Request Case",
        "Abandoned or Uninsured Vehicle Case", "Parking Enforcement Transfer Case|2016-",
        "Towed Vehicle Inquiry|-2018", "Parking Ticket Dispute Inquiry|-2016",
        "Meter Out of Order Internal Audit Case|2019-", "Credit Card Reversal Request Case|2015-"),
    "FSC - Bylaw Fines": ("Bylaw Fines Request Case", "Parking Ticket Payment Inquiry|-2017",
        "Bylaw Notice Dispute Inquiry|2017-"),
    "DBL - Plumbing and Gas Inspections": ("Plumbing Inspection Request Case",
        "Gas Inspection Request Case", "Plumbing and Gas Permit Inquiry|-2018"),
    "ENG - Transfer and Landfill Operations": ("Disposal Facility - Landfill Inquiry Case",
        "Landfill Hours and Rates Inquiry|-2020",
        "Disposal Facility - Transfer Station Inquiry Case",
        "Vancouver Landfill Recycling Inquiry|-2015"),
    "ENG - Parking Management": ("Residential Parking Permit Request Case",
        "Parking Management Inquiry Case", "Pay by Phone Inquiry|2012-",
        "Residential Street Curbside Sign Request Case",
        "Commercial Street Curbside Sign Request Case|2017-", "Parking Meter Request Case|-2014"),
    "PR - Recreation Administration": ("Recreation Program Registration Inquiry",
        "Leisure Access Program Inquiry", "Flexipass Inquiry|-2019",
        "Recreation Online Registration Inquiry|2016-"),
    "ENG - Development and Major Projects Branch": ("Engineering Client Services Request Case",
        "Development Servicing Inquiry|-2017", "Unpermitted Construction Container Concern Case"),
    "DBL - Electrical Inspections": ("Electrical Inspection Request Case",
        "Electrical Permit Inquiry|-2018"),
    "DBL - Animal Services": ("Animal Concern Case", "Dog Licence Case|2014-",
        "Animal Services Inquiry Case", "Lost Pets Case|2015-", "Feeding Wildlife Case|2016-"),
    "PR - Recreation Facilities": ("Pool Schedule Inquiry", "Ice Rink Schedule Inquiry|-2020",
        "Fitness Centre Inquiry"),
    "PR - Park Operations": ("Parks Operations and Maintenance Case",
        "Park Facility Maintenance Request", "Park Washroom Concern Case|-2017",
        "Graffiti Removal - Park Property Case"),
    "DBL - Building and Trades Inspections Clerks": ("Private Property Construction Concern Case",
        "Private Property Construction Noise Case", "Trades Permit Inquiry|-2016"),
    "PR - Recreation Community Centres": ("Community Centre Program Inquiry",
        "Community Centre Facility Booking Inquiry", "Community Centre Association Inquiry|-2013"),
    "PR - Urban Forestry": ("City and Park Trees Maintenance Case", "Tree Planting Request Case",
        "Rats and Rodents Case", "Pest Management Inquiry Case|-2017",
        "Canada Geese Nests Case|2019-"),
    "FSC - Utility Billing": ("Utility Billing Request Case", "Utility Bill Payment Inquiry",
        "Metered Utility Account Inquiry|-2019"),
    "DBL - Bylaw Administration": ("Bylaw Compliance and Property Admin Request Case",
        "Bylaw Information Inquiry|-2017"),
    "ENG - Waterworks Design": ("Lawn Sprinkling Regulations Inquiry|-2020",
        "Water Exemption Permit Request Case", "High Water Consumption Concern Case",
        "Water Conservation Violation Case", "Water Design Inquiry Case|2018-"),
    "DBL - Property Use Inspections": ("Private Property Concern Case",
        "Noise on Private Property Case", "Untidy Premises Complaint|-2015",
        "Graffiti Removal - Private Property Case", "Private Property Inquiry Case|2017-"),
    "REFM - Facilities Operations": ("City Facility Maintenance Request Case",
        "City Hall Facilities Inquiry|-2018"),
    "ENG - Traffic and Data Management": ("Traffic and Pedestrian Signal -Modify Request Case",
        "Traffic and Pedestrian Signal -New Request Case", "Traffic Management Inquiry Case",
        "Traffic Count Data Request|-2016", "Traffic Sign - New Request Case|2014-",
        "Pavement Markings Case|2016-"),
    "VFRS - Community Safety and Risk Reduction": ("Fire Prevention Inquiry Case",
        "Fire Safety Hazards Case", "Hoarding Request Case|2015-", "Fire Inspection Request Case",
        "Fireworks Request Case|-2016"),
    "ENG - Waterworks Operations": ("Water Leak Case", "Water Meter Reading Request Case",
        "Water Service Line Turn On or Off Request Case",
        "Locate Water Service Line or Valve Case|-2018", "Water Hydrant Concern Case|2016-",
        "Water Quality Concern Case|2016-"),
    "DBL - Proactive Enforcement": ("Short-Term Rental Concern Case",
        "Short-Term Rental Request Case"),
    "ENG - Sewer Operations": ("Sewer Backup Case", "Catch Basin Concern Case",
        "Sewer Operations Inquiry Case", "Sewer Odour Case|2017-"),
    "VPD - Information Management": ("Police Record Check Inquiry",
        "Police Report Request Inquiry", "Police Freedom of Information Inquiry|-2016"),
    "PR - Business Services": ("Park Board Permit Inquiry", "Picnic Shelter Booking Inquiry",
        "Sports Field Booking Inquiry|-2016"),
    "VPD - False Alarm Reduction Program": ("Security Alarm Permit Inquiry",
        "False Alarm Fee Inquiry|-2019", "Security Alarm Permit (Revenue Services) Case|2016-"),
    "ENG - Streets Operations": ("Pothole Case", "Street Surface Water Flooding Case",
        "Street Repair Case", "Urban Issues on City Property Case|-2021", "Sidewalk Repair Case",
        "Snow and Ice Removal From City Property Case", "General Street Issues Case|2019-",
        "Snow Angel Program Request Case|2012-"),
    "ENG - Traffic and Electrical Operations and Design": ("Street Light Out Case",
        "Sign Repair Case", "Traffic Signal Repair Case",
        "Street Light Pole Maintenance Case|2017-",
        "Traffic Signal Timing Concern Case|-2015"),
    "ENG - Sewers and Drainage Design": ("Sewer Drainage and Design Inquiry Case",
        "Sewer Connection Permit Inquiry|-2017", "Adopt a Catch Basin Program Inquiry Case|2018-"),
    "ACCS - Homelessness Service and Affordable Housing": ("Homelessness Services Inquiry",
        "Shelter Information Inquiry|-2020", "Affordable Housing Inquiry"),
    "HR - Human Resources": ("Employment Opportunities Inquiry",
        "Employment Verification Request|-2016", "Human Resources General Inquiry"),
    "ENG - Street Use Management": ("Street and Sidewalk Use Request Case",
        "Street Use Permit Inquiry|-2018", "Newspaper Box Concern Case"),
    "PR - Park Rangers": ("Park Ranger Request Case", "Dogs in Parks Concern Case|-2019",
        "Urban Issues in Parks Case|2019-"),
    "ENG - Film and Special Events Office": ("Special Events Inquiry Case", "Filming Inquiry Case",
        "Special Events Office Request Case|2018-", "Filming Office Request Case|2015-"),
    "PR - Corporate Services": ("Parks Feedback Case", "Recreation Feedback Case",
        "Park Board Commissioner Feedback Case|2019-"),
    "PDS - Planning": ("Urban Planning Request Case", "Community Plan Inquiry|-2018",
        "Planner Appointment Request Case|2016-", "Character Merit Assessment Request Case|2019-"),
    "DBL - Arboriculture Inspection": ("Private Property Tree Removal Concern Case",
        "Tree Permit Inquiry"),
    "CMO - Risk Management": (
        "Claims Against the City Inquiry", "Damage Claim Request Case|2018-"),
    "PR - Commercial Operations": ("Golf Course Inquiry", "Marina and Concession Inquiry|-2018"),
    "PDS - Housing Policy": ("Rental Housing Policy Inquiry", "Secondary Suite Inquiry|-2019"),
    "ENG - Solid Waste Programs": ("Residential Cart Concern Case",
        "Commercial Waste Container Concern Case", "Illegal Dumping Case",
        "Solid Waste Programs Inquiry Case|-2019", "Single-Use Item Bylaw Request Case|2022-"),
    "PDS - Landscape": ("Landscape Request Case",),
    "FSC - Accounts Payable": ("Vendor Payment Inquiry", "Supplier Registration Inquiry|-2017"),
    "MC - Mayor's Office": ("Mayor's Office Correspondence Inquiry",
        "Mayor Meeting Request|-2015"),
    "ENG - Land Survey": ("Land Survey Records Request", "Property Line Inquiry|-2016"),
    "CMO - Council Operations": ("Public Hearing Feedback Case",
        "Speaking to Council Inquiry|-2018"),
    "PR - Planning and Development": ("Park Improvement Case", "Park Planning Inquiry|-2015"),
    "CMO - External Relations and Protocol": ("Protocol Request",
        "Flag Raising and Proclamation Request|2016-"),
    "CMO - Access to Information": ("Freedom of Information Request Inquiry",),
    "ENG - Utilities Management": ("External Utility Concern Case",
        "Non-Vegetative Encroachment Case|2019-"),
    "ACCS - Social Policy": ("Needle Clean Up Case", "Accessibility Feedback Case|2017-",
        "Social Grants Inquiry|-2016"),
    "FSC - Accounts Receivable": ("Accounts Receivable Inquiry", "Invoice Payment Inquiry|-2019"),
    "PDS - Sustainability": (
        "Sustainability Inquiry Case", "Home Energy Rebate Inquiry|2014-2019"),
    "REFM - Environmental Protection": ("Environmental Protection Inquiry Case",
        "Environmental Contamination Concern Case|2016-"),
    "ACCS - Cultural Services": ("Cultural Grants Inquiry", "Public Art Inquiry|-2018"),
    "ENG - Streets Furniture": ("Street Furniture Maintenance Case",
        "Street Furniture Request Case|-2017"),
    "ENG - Transportation Design": ("Transportation Design Project Inquiry Case",
        "Curb Ramp Request Case|2019-"),
    "ACCS - Civic Theatres": ("Civic Theatres Ticket Inquiry", "Theatre Rental Inquiry|-2017"),
    "CMO - Civic Engagement and Communications": ("City Website Inquiry",
        "Public Engagement Inquiry|2019-"),
    "ENG - Streets Horticulture": ("Vegetation Maintenance Case",
        "Streets Horticulture Program Inquiry Case|2016-"),
    "CMO - Business and Election Services": ("Mayor and Council Feedback Case",
        "Voter Registration Inquiry", "Election Inquiry Case|2014-"),
    "CMO - Vancouver Emergency Management Agency": ("Emergency Preparedness Inquiry",
        "COVID-19 Information Inquiry|2020-2022"),
    "ENG - Transportation Planning": ("Transportation Planning Inquiry Case",
        "Bike Route Inquiry|-2016"),
    "ENG - Integrated Graffiti Management": ("Graffiti Removal - City Property Case",
        "Graffiti Removal - External Organization Case|2015-",
        "Free Paint Voucher Request Case|-2017"),
    "VFRS - Operations - Emergency Services": ("Request Fire Reinspection (Firehall) Case",
        "Tower Crane Site Survey Case|-2019", "High Angle Rescue Inquiry Case|2016-"),
    "ENG - Streets Design Branch": ("Local Improvement Program Case",),
    "311 Contact Centre": ("City Services Feedback Case", "General Feedback Case",
        "Emergency Referral Tracking Report Case", "Van311 Feedback Case|2013-",
        "Website Feedback Case|-2018"),
    "VFRS - Emergency Communication and Technology": ("Emergency Communications Inquiry",),
    "CMO - Archives": ("City Archives Research Inquiry",),
    "ACCS - Mountain View Cemetery": ("Cemetery Plot Inquiry",),
    "ENG - Kent Construction Supplies and Services": (
        "Sidewalk Snow and Ice Removal Bylaw Violation Case",
        "Sidewalk Snow and Ice Removal Bylaw Inquiry Case"),
    "VPL - Vancouver Public Library": ("Library Card Inquiry",),
    "ENG - Transit Integrations and Projects": ("Transit Related Request Case",),
    "CMO - City Manager's Office": ("City Manager Feedback Case",),
    "LS - Legal Services": ("Legal Services Inquiry",),
    "FSC - Budgets Office": ("Budget Consultation Inquiry",),
    "ENG - Neighbourhood Energy Branch": ("Neighbourhood Energy Utility Issue Case",),
    "ENG - Community Transportation Branch": ("Traffic Calming Case",
        "School Traffic Concern Case|2022-"),
    "FIFA World Cup 2026": ("FIFA World Cup 2026 Inquiry", "FIFA Fan Festival Inquiry|2025-"),
}


@dataclass(frozen=True)
class DepartmentShare:
    name: str
    pct_2023: float
    pct_2024: float


def load_department_shares() -> list[DepartmentShare]:
    """The 86 departments and their real % share of inquiries (packaged TSV)."""
    text = (files("lakehouse") / "datasets" / "reference" / SHARE_FILE).read_text("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    shares = []
    for line in lines[1:]:  # lines[0] is the column header
        name, p23, p24 = line.split("\t")
        shares.append(DepartmentShare(name, float(p23), float(p24)))
    return shares


def parse_type(entry: str) -> tuple[str, int | None, int | None]:
    """``"Name|2012-2019"`` -> ("Name", 2012, 2019); open ends are None."""
    name, _, years = entry.partition("|")
    if not years:
        return name, None, None
    first, _, last = years.partition("-")
    return name, int(first) if first else None, int(last) if last else None


def channel_shares(year: int, month: int) -> tuple[float, ...]:
    """Share of inquiries per channel (order of CHANNELS) in a month.

    Phone stays ~88%; Chat opens in 2018 and by 2021 has taken nearly all of
    E-mail's volume (July 2023: Phone 25,931, Chat 3,820, E-mail 38, Social 12).
    """
    t = year + (month - 1) / 12
    ramp = min(max((t - 2018.0) / 3.0, 0.0), 1.0)
    chat = 0.118 * ramp
    email = 0.085 * (1 - ramp) + 0.0013 * ramp
    social = (0.02 if t >= 2011.5 else 0.0) * (1 - ramp) + 0.0005 * ramp
    mail = 0.01 * (1 - ramp) + 0.0003 * ramp
    phone = 1.0 - chat - email - social - mail
    return (phone, chat, email, social, mail)
