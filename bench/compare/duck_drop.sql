SET threads = 2;
INSERT INTO events SELECT *, CAST(timestamp AS DATE) AS event_date, TIMESTAMP '2022-03-02' AS etl_date FROM read_csv('@DROP@/events.csv', header = true, auto_detect = false, columns = {'event': 'VARCHAR', 'timestamp': 'TIMESTAMP', 'user_id': 'BIGINT', 'platform': 'VARCHAR', 'hashtag_count': 'DECIMAL(10,0)'});
CHECKPOINT;
