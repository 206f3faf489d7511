-- Per user and active day up to ${as_of}: the day's events, their moving average and sample
-- standard deviation over this and the user's 7 previous active days, and a flag: 'spike'
-- above average + 3 SD, 'drop-off' below average - 3 SD, else 'normal' (the SD is NULL, and
-- the day normal, while there is one day only).
WITH daily AS (
  SELECT user_id, CAST(event_date AS DATE) AS day, COUNT(*) AS events
  FROM clean_events
  WHERE event_date < DATE '${as_of}' + INTERVAL 1 DAY
  GROUP BY 1, 2
),
moving AS (
  SELECT user_id, day, events,
         AVG(events) OVER (PARTITION BY user_id ORDER BY day ROWS BETWEEN 7 PRECEDING AND CURRENT ROW) AS moving_avg,
         STDDEV_SAMP(events) OVER (PARTITION BY user_id ORDER BY day ROWS BETWEEN 7 PRECEDING AND CURRENT ROW) AS moving_stddev
  FROM daily
)
SELECT user_id, day, events, moving_avg, moving_stddev,
       CASE WHEN events > moving_avg + 3 * moving_stddev THEN 'spike'
            WHEN events < moving_avg - 3 * moving_stddev THEN 'drop-off'
            ELSE 'normal' END AS flag
FROM moving
ORDER BY user_id, day;
