-- title: Monthly inquiry volume
-- description: Inquiries per month over the last 24 months of data, against the same month a year earlier.
-- dataset: 3-1-1-inquiry-volume
-- parameters:
WITH recent AS (
    SELECT month_start, inquiries
    FROM monthly_volume
    ORDER BY month_start DESC
    LIMIT 24
)
SELECT date_format(r.month_start, '%Y-%m') AS month,
       r.inquiries,
       p.inquiries AS inquiries_year_before,
       round(100.0 * (r.inquiries - p.inquiries) / p.inquiries, 1) AS change_pct
FROM recent r
LEFT JOIN monthly_volume p
       ON p.month_start = date_add('year', -1, r.month_start)
ORDER BY r.month_start
