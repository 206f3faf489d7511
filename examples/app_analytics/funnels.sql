-- Per user up to ${as_of}: views, and how many views were directly followed (the user's next
-- event) by a click or by a purchase.
WITH s AS (
  SELECT user_id, event_type,
         LEAD(event_type) OVER (PARTITION BY user_id ORDER BY event_date, event_id) AS next_type
  FROM clean_events
  WHERE event_date < DATE '${as_of}' + INTERVAL 1 DAY
)
SELECT user_id,
       SUM(CASE WHEN event_type = 'view' THEN 1 ELSE 0 END) AS views,
       SUM(CASE WHEN event_type = 'view' AND next_type = 'click' THEN 1 ELSE 0 END) AS view_to_click,
       SUM(CASE WHEN event_type = 'view' AND next_type = 'purchase' THEN 1 ELSE 0 END) AS view_to_purchase
FROM s
GROUP BY user_id
ORDER BY user_id;
