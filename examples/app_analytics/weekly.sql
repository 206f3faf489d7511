-- Events per user per week since signup (week 0 = days 1..6 after the signup day, week 1 =
-- days 7..13, ...), up to ${as_of}.
SELECT user_id,
       CAST(FLOOR(DATEDIFF(CAST(event_date AS DATE), signup_date) / 7) AS BIGINT) AS week_since_signup,
       COUNT(*) AS events
FROM clean_events
WHERE event_date < DATE '${as_of}' + INTERVAL 1 DAY
GROUP BY 1, 2
ORDER BY 1, 2;
