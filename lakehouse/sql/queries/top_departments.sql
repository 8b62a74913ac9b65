-- title: Departments with the most inquiries
-- description: The ten departments with the most 3-1-1 inquiries in a year, with their share of that year.
-- dataset: 3-1-1-inquiry-volume
-- parameters: year int
SELECT rank,
       department,
       inquiries,
       round(share_pct, 2) AS share_pct
FROM department_yearly
WHERE year = ?
ORDER BY rank, department
LIMIT 10
