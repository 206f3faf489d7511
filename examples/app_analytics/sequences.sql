-- Each user's events up to ${as_of} in order (ties on the day broken by event_id), with the
-- previous and the next event type (NULL at either end).
SELECT user_id,
       event_id,
       event_date,
       event_type,
       LAG(event_type) OVER (PARTITION BY user_id ORDER BY event_date, event_id) AS previous_event_type,
       LEAD(event_type) OVER (PARTITION BY user_id ORDER BY event_date, event_id) AS next_event_type
FROM clean_events
WHERE event_date < DATE '${as_of}' + INTERVAL 1 DAY
ORDER BY user_id, event_date, event_id;
