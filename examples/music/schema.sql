-- Music streaming (seed-003): the raw logs and song metadata land in two staging tables as they
-- come (JSON); the star schema is built from them with CREATE TABLE AS SELECT (star.sql).

-- One row per log event (JSON lines, log_data/YYYY/MM/*.json). ts is epoch milliseconds: load
-- with --time-format ts=epoch_ms. userId is a string in the logs, "" when logged out (NULL).
CREATE TABLE staging_events (
  artist        STRING,
  auth          STRING,
  firstName     STRING,
  gender        STRING,
  itemInSession INT,
  lastName      STRING,
  length        DOUBLE,
  level         STRING,
  location      STRING,
  method        STRING,
  page          STRING,
  registration  DOUBLE,
  sessionId     BIGINT,
  song          STRING,
  status        INT,
  ts            TIMESTAMP NOT NULL,
  userAgent     STRING,
  userId        BIGINT
)
PARTITIONED BY (day = CAST(ts AS DATE));

-- One row per song file (song_data/A/B/C/*.json, one JSON object each).
CREATE TABLE staging_songs (
  num_songs        INT,
  artist_id        STRING NOT NULL,
  artist_latitude  DOUBLE,
  artist_longitude DOUBLE,
  artist_location  STRING,
  artist_name      STRING,
  song_id          STRING NOT NULL,
  title            STRING,
  duration         DOUBLE,
  year             INT
);
