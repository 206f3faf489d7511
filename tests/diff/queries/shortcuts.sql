-- What DuckDB users write by habit: * EXCLUDE / REPLACE, GROUP BY ALL, ORDER BY ALL, QUALIFY,
-- select-list aliases in WHERE / HAVING / ORDER BY / QUALIFY.
SELECT * EXCLUDE (name, ts) FROM t;
SELECT * EXCLUDE (ts) REPLACE (n * 10 AS n, UPPER(grp) AS grp) FROM t;
SELECT t.* EXCLUDE (d) FROM t WHERE id < 4;
SELECT grp, COUNT(*), SUM(n) FROM t GROUP BY ALL;
SELECT grp, flag, COUNT(*) AS c FROM t GROUP BY ALL;
SELECT grp, YEAR(day) AS y, MAX(n) FROM t GROUP BY ALL;
-- ordered
SELECT grp, n FROM t ORDER BY ALL;
-- ordered
SELECT grp, n FROM t ORDER BY ALL DESC;
-- ordered
SELECT grp, COUNT(*) AS c FROM t GROUP BY ALL ORDER BY ALL;
SELECT id, grp, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY id) AS rn FROM t QUALIFY rn = 1;
SELECT id, grp, n FROM t QUALIFY RANK() OVER (PARTITION BY grp ORDER BY n DESC NULLS LAST) = 1;
SELECT grp, SUM(n) AS s FROM t GROUP BY grp QUALIFY ROW_NUMBER() OVER (ORDER BY SUM(n) DESC NULLS LAST) <= 2;
SELECT grp, COUNT(*) AS c FROM t GROUP BY grp HAVING c > 1;
SELECT id, n * 2 AS twice FROM t WHERE twice > 5;
-- ordered
SELECT id, n * 2 AS twice FROM t ORDER BY twice DESC NULLS LAST, id;
-- ordered
SELECT id, n AS v FROM t ORDER BY v + id, id;
SELECT user_id, COUNT(*) AS posts FROM posts GROUP BY ALL HAVING posts >= 4;
SELECT user_id, event_date, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY timestamp) AS rn FROM events QUALIFY rn = 1 AND user_id < -9000000000000000000;
-- FROM-first, with and without a SELECT after it.
FROM t SELECT id, name WHERE id < 3;
FROM t SELECT grp, count(*) GROUP BY grp;
FROM t WHERE id = 1;
