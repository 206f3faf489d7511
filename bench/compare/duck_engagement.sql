-- The engagement queries of examples/engagement in DuckDB's dialect (same semantics), each
-- written as CSV: DAU, MAU, sessions overall and per day.
SET threads = 2;
CREATE OR REPLACE TEMP VIEW active_2023 AS SELECT user_id, timestamp, action_type, duration_ms FROM interactions WHERE duration_ms BETWEEN 0 AND 7200000 AND timestamp >= TIMESTAMP '2023-01-01 00:00:00' AND timestamp < TIMESTAMP '2024-01-01 00:00:00';
CREATE OR REPLACE TEMP VIEW sessions AS WITH gaps AS (SELECT user_id, timestamp, duration_ms, CASE WHEN epoch(timestamp) - epoch(LAG(timestamp) OVER (PARTITION BY user_id ORDER BY timestamp)) < 1800 THEN 0 ELSE 1 END AS new_session FROM active_2023), numbered AS (SELECT user_id, timestamp, duration_ms, SUM(new_session) OVER (PARTITION BY user_id ORDER BY timestamp ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session_number FROM gaps) SELECT user_id, session_number, MIN(timestamp) AS session_start, COUNT(*) AS actions, SUM(duration_ms) AS duration_ms FROM numbered GROUP BY user_id, session_number;
COPY (SELECT CAST(timestamp AS DATE) AS day, COUNT(DISTINCT user_id) AS dau FROM active_2023 GROUP BY 1 ORDER BY 1) TO '@OUT@/dau.csv' (HEADER);
COPY (SELECT CAST(date_trunc('month', timestamp) AS DATE) AS month, COUNT(DISTINCT user_id) AS mau FROM active_2023 GROUP BY 1 ORDER BY 1) TO '@OUT@/mau.csv' (HEADER);
COPY (SELECT COUNT(*) AS sessions, AVG(duration_ms) AS avg_session_duration_ms, AVG(actions) AS avg_actions_per_session FROM sessions) TO '@OUT@/sessions.csv' (HEADER);
COPY (SELECT CAST(session_start AS DATE) AS day, COUNT(*) AS sessions, AVG(duration_ms) AS avg_session_duration_ms, AVG(actions) AS avg_actions_per_session FROM sessions GROUP BY 1 ORDER BY 1) TO '@OUT@/sessions_by_day.csv' (HEADER);
