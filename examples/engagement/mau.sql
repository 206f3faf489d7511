-- Monthly active users in 2023: distinct users per calendar month.
SELECT CAST(DATE_TRUNC('month', timestamp) AS DATE) AS month, COUNT(DISTINCT user_id) AS mau
FROM active_2023
GROUP BY 1
ORDER BY 1;
