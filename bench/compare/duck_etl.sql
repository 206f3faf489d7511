SET threads = 2;
SELECT platform, COUNT(*), SUM(hashtag_count) FROM events WHERE etl_date = TIMESTAMP '2022-03-02 00:00:00' GROUP BY platform;
