-- The seed-000 user report: one row per user of the last 90 days, the three per-user views of
-- schema.sql FULL OUTER JOINed on user_id (a user missing from one side gets NULLs there).
-- All three tables are bucketed on user_id into 45 buckets, so the joins run bucket by bucket.
SELECT user_id,
       total_revenue,
       currency,
       total_posts,
       average_schedule_seconds,
       total_twitter_post,
       total_facebook_post,
       total_pinterest_post,
       total_instagram_post,
       total_instagram_story,
       total_linkedin_post,
       total_tiktok_post,
       suggested_hashtags_count,
       suggested_time_count
FROM user_revenue
FULL OUTER JOIN user_posts USING (user_id)
FULL OUTER JOIN user_events USING (user_id)
ORDER BY user_id;
