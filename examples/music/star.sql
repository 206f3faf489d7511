-- The star schema, built from the staging tables. Dimensions are small and not bucketed; the
-- fact table songplays is partitioned by day and bucketed by user.

CREATE TABLE songs AS
SELECT DISTINCT song_id, title, artist_id, year, duration
FROM staging_songs;

CREATE TABLE artists AS
SELECT DISTINCT artist_id, artist_name AS name, artist_location AS location,
       artist_latitude AS latitude, artist_longitude AS longitude
FROM staging_songs;

-- Users as of their latest play: the level (free or paid) can change over time.
CREATE TABLE users AS
SELECT user_id, first_name, last_name, gender, level
FROM (SELECT userId AS user_id, firstName AS first_name, lastName AS last_name, gender, level,
             ROW_NUMBER() OVER (PARTITION BY userId ORDER BY ts DESC) AS latest
      FROM staging_events
      WHERE page = 'NextSong' AND userId IS NOT NULL) u
WHERE latest = 1;

-- Every moment a song started.
CREATE TABLE time AS
SELECT DISTINCT ts AS start_time,
       HOUR(ts) AS hour, DAY(ts) AS day, WEEKOFYEAR(ts) AS week, MONTH(ts) AS month,
       YEAR(ts) AS year, DAYOFWEEK(ts) AS weekday
FROM staging_events
WHERE page = 'NextSong';

-- Every play (a NextSong event), with the song and artist ids where the log's title and artist
-- name match a known song (NULL otherwise).
CREATE TABLE songplays
PARTITIONED BY (day = CAST(start_time AS DATE))
CLUSTERED BY (user_id) INTO 4 BUCKETS AS
SELECT e.ts AS start_time, e.userId AS user_id, e.level, s.song_id, s.artist_id,
       e.sessionId AS session_id, e.location, e.userAgent AS user_agent,
       e.song AS song_title, e.artist AS artist_name
FROM staging_events e
LEFT JOIN (SELECT s.song_id, s.title, s.artist_id, a.name
           FROM songs s JOIN artists a ON a.artist_id = s.artist_id) s
  ON s.title = e.song AND s.name = e.artist
WHERE e.page = 'NextSong';
