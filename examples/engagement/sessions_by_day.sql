-- Sessions per day (the day a session starts): how many, average duration and actions.
SELECT CAST(session_start AS DATE) AS day, COUNT(*) AS sessions,
       AVG(duration_ms) AS avg_session_duration_ms, AVG(actions) AS avg_actions_per_session
FROM sessions
GROUP BY 1
ORDER BY 1;
