-- Every row of the three tables, whatever its day or etl_date: rows, users and day range per
-- table. bench/drops/run.sh compares this between the drops warehouse and the one-load one (cmp).
SELECT 'events' AS tbl, COUNT(*) AS n, COUNT(DISTINCT user_id) AS users,
       MIN(event_date) AS first_day, MAX(event_date) AS last_day FROM events
UNION ALL
SELECT 'payments', COUNT(*), COUNT(DISTINCT user_id), MIN(event_date), MAX(event_date) FROM payments
UNION ALL
SELECT 'posts', COUNT(*), COUNT(DISTINCT user_id), MIN(event_date), MAX(event_date) FROM posts
ORDER BY tbl;
