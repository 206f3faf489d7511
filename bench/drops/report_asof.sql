-- The user report of examples/social/report.sql with its window fixed to the 90 days before
-- --var as_of=YYYY-MM-DD instead of each row's own etl_date (the views of schema.sql inlined).
-- A warehouse loaded in one load with --etl-date as_of gives exactly report.sql's output; one
-- loaded in drops with increasing etl dates must give the same bytes as one load of the same
-- rows, whatever the etl dates (report.sql itself does not: an older drop's rows look back 90
-- days from their own, older etl_date). bench/drops/run.sh compares the two with cmp.
WITH user_revenue AS (
  SELECT user_id, CAST(SUM(total) AS DECIMAL(8,2)) AS total_revenue, currency
  FROM payments WHERE event_date > TIMESTAMP '${as_of}' - INTERVAL 90 DAYS
  GROUP BY user_id, currency),
user_posts AS (
  SELECT user_id,
         COUNT(id) AS total_posts,
         AVG(CAST(posted_at AS BIGINT) - CAST(scheduled_at AS BIGINT)) AS average_schedule_seconds,
         COUNT(CASE WHEN type = 'TwitterPost' THEN 1 END) AS total_twitter_post,
         COUNT(CASE WHEN type = 'FacebookPost' THEN 1 END) AS total_facebook_post,
         COUNT(CASE WHEN type = 'PinterestPost' THEN 1 END) AS total_pinterest_post,
         COUNT(CASE WHEN type = 'InstagramPost' THEN 1 END) AS total_instagram_post,
         COUNT(CASE WHEN type = 'InstagramStory' THEN 1 END) AS total_instagram_story,
         COUNT(CASE WHEN type = 'LinkedinPost' THEN 1 END) AS total_linkedin_post,
         COUNT(CASE WHEN type = 'TikTokPost' THEN 1 END) AS total_tiktok_post
  FROM posts WHERE event_date > TIMESTAMP '${as_of}' - INTERVAL 90 DAYS
  GROUP BY user_id),
user_events AS (
  SELECT user_id,
         SUM(IF(event = 'suggested_hashtags_inserted', hashtag_count, 0)) AS suggested_hashtags_count,
         COUNT(CASE WHEN event = 'scheduled_at_best_time' THEN 1 END) AS suggested_time_count
  FROM events WHERE event_date > TIMESTAMP '${as_of}' - INTERVAL 90 DAYS
  GROUP BY user_id)
SELECT user_id, total_revenue, currency, total_posts, average_schedule_seconds, total_twitter_post,
       total_facebook_post, total_pinterest_post, total_instagram_post, total_instagram_story,
       total_linkedin_post, total_tiktok_post, suggested_hashtags_count, suggested_time_count
FROM user_revenue
FULL OUTER JOIN user_posts USING (user_id)
FULL OUTER JOIN user_events USING (user_id)
ORDER BY user_id;
