-- Daily active users in 2023: distinct users with an interaction that counts, per day.
SELECT CAST(timestamp AS DATE) AS day, COUNT(DISTINCT user_id) AS dau
FROM active_2023
GROUP BY 1
ORDER BY 1;
