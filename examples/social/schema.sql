-- The seed-000 social media warehouse: events, payments and posts, each partitioned by the day
-- of its event time and bucketed on user_id into 45 buckets. Money is exact (DECIMAL), user ids
-- are signed 64-bit integers.

CREATE TABLE events (
  event         STRING NOT NULL,
  timestamp     TIMESTAMP NOT NULL,
  user_id       BIGINT NOT NULL,
  platform      STRING,
  hashtag_count DECIMAL(10,0)
)
PARTITIONED BY (event_date = CAST(timestamp AS DATE))
CLUSTERED BY (user_id) INTO 45 BUCKETS;

CREATE TABLE payments (
  amount_due            DECIMAL(38,18),
  attempt_count         INT,
  attempted             BOOLEAN,
  charge_id             STRING,
  closed                BOOLEAN,
  currency              STRING,
  user_id               BIGINT NOT NULL,
  date                  TIMESTAMP NOT NULL,
  description           STRING,
  discount_id           STRING,
  ending_balance        DECIMAL(38,18),
  forgiven              BOOLEAN,
  id                    STRING,
  line_ids              STRING,
  paid                  BOOLEAN,
  receipt_number        STRING,
  received_at           TIMESTAMP,
  starting_balance      DECIMAL(38,18),
  subscription_id       BIGINT,
  subtotal              DECIMAL(38,18),
  tax                   DECIMAL(38,18),
  tax_percent           DECIMAL(38,18),
  total                 DECIMAL(38,18) NOT NULL,
  webhooks_delivered_at TIMESTAMP
)
PARTITIONED BY (event_date = CAST(date AS DATE))
CLUSTERED BY (user_id) INTO 45 BUCKETS;

CREATE TABLE posts (
  id                BIGINT NOT NULL,
  active            BOOLEAN,
  delivered         BOOLEAN,
  media_id          BIGINT,
  media_item_id     BIGINT,
  posted_at         TIMESTAMP NOT NULL,
  scheduled_at      TIMESTAMP,
  social_profile_id BIGINT,
  type              STRING NOT NULL,
  user_id           BIGINT NOT NULL
)
PARTITIONED BY (event_date = CAST(LEAST(posted_at, scheduled_at) AS DATE))
CLUSTERED BY (user_id) INTO 45 BUCKETS;

-- The three per-user results of the last 90 days of each row's load (`etl_date`): with the
-- sample loaded with --etl-date 2022-03-01 that is event_date >= 2021-12-02. Each groups by the
-- bucket key, so wh computes them bucket by bucket. As in the original notebook, a user's counts
-- are 0, not NULL, when the user has rows but none of the kind counted
-- (SUM(IF(event = ..., hashtag_count, 0)), COUNT(CASE ...)).

CREATE OR REPLACE VIEW user_revenue AS
SELECT user_id,
       CAST(SUM(total) AS DECIMAL(8,2)) AS total_revenue,
       currency
FROM payments
WHERE event_date > etl_date - INTERVAL 90 DAYS
GROUP BY user_id, currency;

CREATE OR REPLACE VIEW user_posts AS
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
FROM posts
WHERE event_date > etl_date - INTERVAL 90 DAYS
GROUP BY user_id;

CREATE OR REPLACE VIEW user_events AS
SELECT user_id,
       SUM(IF(event = 'suggested_hashtags_inserted', hashtag_count, 0)) AS suggested_hashtags_count,
       COUNT(CASE WHEN event = 'scheduled_at_best_time' THEN 1 END) AS suggested_time_count
FROM events
WHERE event_date > etl_date - INTERVAL 90 DAYS
GROUP BY user_id;
