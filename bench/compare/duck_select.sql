SET threads = 2;
SELECT platform, COUNT(*), SUM(hashtag_count) FROM events WHERE event_date BETWEEN DATE '2022-02-01' AND DATE '2022-02-07' GROUP BY platform;
