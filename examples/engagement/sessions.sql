-- Sessions in 2023 overall: how many, their average duration (sum of their actions'
-- duration_ms) and average number of actions.
SELECT COUNT(*) AS sessions, AVG(duration_ms) AS avg_session_duration_ms, AVG(actions) AS avg_actions_per_session
FROM sessions;
