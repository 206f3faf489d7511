-- App analytics (seed-001): product events partitioned by day and bucketed by user, and the user
-- profiles as a small dimension table.
CREATE TABLE user_events (
  event_id   BIGINT NOT NULL,
  user_id    BIGINT NOT NULL,
  event_type STRING NOT NULL,   -- view, click, purchase
  event_date TIMESTAMP NOT NULL,
  page       STRING
)
PARTITIONED BY (day = CAST(event_date AS DATE))
CLUSTERED BY (user_id) INTO 8 BUCKETS;

CREATE TABLE user_profiles (
  user_id         BIGINT NOT NULL,
  signup_date     DATE NOT NULL,
  last_login_date DATE
);

-- The events every analysis starts from: exact duplicates dropped (a drop sent twice), and only
-- events strictly after the day the user signed up. Each row carries the user's signup date.
-- Everything is per user, so this runs bucket by bucket (the profiles are broadcast).
CREATE OR REPLACE VIEW clean_events AS
SELECT DISTINCT e.event_id, e.user_id, e.event_type, e.event_date, e.page, p.signup_date
FROM user_events e
JOIN user_profiles p ON p.user_id = e.user_id
WHERE CAST(e.event_date AS DATE) > p.signup_date;
