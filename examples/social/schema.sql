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
