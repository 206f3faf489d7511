-- DuckDB side of the engagement comparison: the generated interactions and users CSVs into
-- native tables with explicit types.
SET threads = 2;
CREATE TABLE interactions AS SELECT * FROM read_csv('@ENG@/interactions.csv', header = true, auto_detect = false, columns = {'user_id': 'VARCHAR', 'timestamp': 'TIMESTAMP', 'action_type': 'VARCHAR', 'page_id': 'VARCHAR', 'duration_ms': 'BIGINT', 'app_version': 'VARCHAR'});
CREATE TABLE users AS SELECT * FROM read_csv('@ENG@/users.csv', header = true, auto_detect = false, columns = {'user_id': 'VARCHAR', 'join_date': 'DATE', 'country': 'VARCHAR', 'device_type': 'VARCHAR', 'subscription_type': 'VARCHAR'});
CHECKPOINT;
