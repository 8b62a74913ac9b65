-- title: Inquiry volume by year
-- description: Inquiries per year, each year's share of all inquiries, and the monthly average (partial years flagged).
-- dataset: 3-1-1-inquiry-volume
-- parameters:
SELECT year,
       inquiries,
       months,
       complete,
       round(100.0 * inquiries / sum(inquiries) OVER (), 2) AS share_pct,
       round(CAST(inquiries AS double) / months) AS monthly_average
FROM yearly_volume
ORDER BY year
