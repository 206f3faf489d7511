-- The 10 user agents with the most plays (ties by the agent string), with their users.
SELECT user_agent, COUNT(*) AS plays, COUNT(DISTINCT user_id) AS users
FROM songplays
GROUP BY user_agent
ORDER BY plays DESC, user_agent
LIMIT 10;
