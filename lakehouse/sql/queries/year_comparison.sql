-- title: Departments compared between two years
-- description: Inquiries per department in two years side by side, with the change in percent.
-- dataset: 3-1-1-inquiry-volume
-- parameters: year_a int, year_b int
WITH first_year AS (
    SELECT department, inquiries FROM department_yearly WHERE year = ?
),
second_year AS (
    SELECT department, inquiries FROM department_yearly WHERE year = ?
)
SELECT coalesce(a.department, b.department) AS department,
       coalesce(a.inquiries, 0) AS inquiries_year_a,
       coalesce(b.inquiries, 0) AS inquiries_year_b,
       coalesce(b.inquiries, 0) - coalesce(a.inquiries, 0) AS change,
       round(100.0 * (b.inquiries - a.inquiries) / a.inquiries, 1) AS change_pct
FROM first_year a
FULL OUTER JOIN second_year b ON a.department = b.department
ORDER BY greatest(coalesce(a.inquiries, 0), coalesce(b.inquiries, 0)) DESC, 1
