-- Files queried in place: read_csv / read_json / FROM 'path' sniff the delimiter, the header
-- and the column types as DuckDB's sniffer does (typeof shows the types both chose).

SELECT * FROM '@FILES@/semi.csv';
SELECT typeof(id), typeof(name), typeof(amount), typeof(day), typeof(ts), typeof(ok), typeof(code) FROM '@FILES@/semi.csv' LIMIT 1;
SELECT name, amount * 2, day + 1, ts FROM read_csv('@FILES@/semi.csv', delim = ';', header = true) WHERE id >= 2;
SELECT count(*), count(name), sum(amount), min(day), max(ts) FROM read_csv('@FILES@/semi.csv');
-- A header decided by the types: '2.5' is not a BIGINT like the rest of its column.
SELECT * FROM '@FILES@/nohead.csv';
SELECT * FROM read_csv('@FILES@/nohead.csv', header = false);
SELECT typeof(column0), typeof(column1), typeof(column2) FROM read_csv('@FILES@/nohead.csv', header = false) LIMIT 1;
SELECT column0 + 1, column1 FROM read_csv('@FILES@/nohead.csv', header = false) WHERE column2 IS NOT NULL;
SELECT * FROM read_csv('@FILES@/nohead.csv', header = false, all_varchar = true) WHERE column2 = '2.5';
SELECT * FROM '@FILES@/tabs.tsv';
SELECT typeof(c), c + INTERVAL 1 DAY FROM '@FILES@/tabs.tsv';
-- Day-first dates.
SELECT * FROM '@FILES@/dmy.csv';
SELECT typeof("when"), month("when") FROM '@FILES@/dmy.csv';
SELECT * FROM read_csv('@FILES@/dmy.csv', dateformat = '%d/%m/%Y') WHERE "when" > DATE '2024-02-01';
-- JSON: keys in order of first appearance, types from the values, missing keys NULL.
SELECT * FROM read_json('@FILES@/events.jsonl');
SELECT * FROM read_json('@FILES@/*.json*');
SELECT typeof("user"), typeof(name), typeof(score), typeof(paid), typeof(day), typeof(seen_at) FROM '@FILES@/events.jsonl' LIMIT 1;
SELECT paid, count(*), sum(score), max(seen_at) FROM read_json('@FILES@/*.json*') GROUP BY paid;
-- FROM-first, joins with tables, subqueries, CTEs.
FROM '@FILES@/semi.csv' WHERE ok;
SELECT s.id, e.name FROM '@FILES@/semi.csv' s JOIN read_json('@FILES@/events.jsonl') e ON s.id = e."user";
SELECT count(*) FROM events WHERE user_id IN (SELECT "user" FROM read_json('@FILES@/events.jsonl'));
WITH f AS (SELECT * FROM read_csv('@FILES@/semi.csv')) SELECT a.id, b.id FROM f a, f b WHERE a.id < b.id AND b.id <= 2;
SELECT * FROM (SELECT * FROM '@FILES@/tabs.tsv') t(x, y, z) WHERE x = 2;
-- errors
-- error
SELECT * FROM '@FILES@/no_such_file.csv';
-- error
SELECT * FROM read_csv('@FILES@/semi.csv', no_such_option = 1);
