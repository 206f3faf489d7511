-- Note-taking app engagement (seed-002; the data is generated: wh gen --workload engagement).
-- Interactions are partitioned by day and bucketed by user; the user metadata is a small
-- dimension table. 8 buckets: 10M interactions (scale 1) make about 1.2M rows per bucket; more
-- buckets would only cut each day's rows into smaller row groups (16 made DAU 15% slower).
CREATE TABLE interactions (
  user_id     STRING NOT NULL,   -- u000123
  timestamp   TIMESTAMP NOT NULL,
  action_type STRING NOT NULL,
  page_id     STRING,
  duration_ms BIGINT,
  app_version STRING
)
PARTITIONED BY (day = CAST(timestamp AS DATE))
CLUSTERED BY (user_id) INTO 8 BUCKETS;

CREATE TABLE users (
  user_id           STRING NOT NULL,
  join_date         DATE,
  country           STRING,
  device_type       STRING,
  subscription_type STRING
);

-- Activity that counts: interactions in 2023 with a plausible duration (0 .. 2 hours; negative
-- and longer ones are tracking glitches).
CREATE OR REPLACE VIEW active_2023 AS
SELECT user_id, timestamp, action_type, duration_ms
FROM interactions
WHERE duration_ms BETWEEN 0 AND 7200000
  AND timestamp >= TIMESTAMP '2023-01-01 00:00:00'
  AND timestamp < TIMESTAMP '2024-01-01 00:00:00';

-- Sessions: a user's actions in time order; a gap of 30 minutes or more since the user's
-- previous action starts a new session. Per session: its first action's time, the number of
-- actions and the sum of their durations. Partitioned by user, so it runs bucket by bucket.
CREATE OR REPLACE VIEW sessions AS
WITH gaps AS (
  SELECT user_id, timestamp, duration_ms,
         CASE WHEN CAST(timestamp AS BIGINT)
                   - CAST(LAG(timestamp) OVER (PARTITION BY user_id ORDER BY timestamp) AS BIGINT) < 1800
              THEN 0 ELSE 1 END AS new_session
  FROM active_2023
),
numbered AS (
  SELECT user_id, timestamp, duration_ms,
         SUM(new_session) OVER (PARTITION BY user_id ORDER BY timestamp
                                ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS session_number
  FROM gaps
)
SELECT user_id, session_number, MIN(timestamp) AS session_start, COUNT(*) AS actions,
       SUM(duration_ms) AS duration_ms
FROM numbered
GROUP BY user_id, session_number;
