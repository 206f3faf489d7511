-- WITH RECURSIVE: a first term, then the recursive term over the last step's rows until a step
-- adds none; UNION (not ALL) adds only rows not seen before.

WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT * FROM t;
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT sum(n), count(*), max(n) FROM t;
WITH RECURSIVE fib(a, b, i) AS (SELECT 0::BIGINT, 1::BIGINT, 1 UNION ALL SELECT b, a + b, i + 1 FROM fib WHERE i < 40) SELECT i, a FROM fib;
-- The first term's types hold: the recursive term's values are cast to them.
WITH RECURSIVE t(n, s) AS (SELECT 1::BIGINT, 'a' UNION ALL SELECT n * 3, s || 'b' FROM t WHERE n < 1000) SELECT n, s, length(s) FROM t;
-- UNION ends a cycle.
WITH RECURSIVE g(x) AS (SELECT 1 UNION SELECT (x % 5) + 1 FROM g) SELECT * FROM g;
WITH RECURSIVE g(x) AS (SELECT 1 UNION SELECT x FROM g) SELECT * FROM g;
-- A series of days, joined to a table.
WITH RECURSIVE days(d) AS (SELECT DATE '2022-02-01' UNION ALL SELECT d + 1 FROM days WHERE d < DATE '2022-02-10')
SELECT d, count(e.user_id) FROM days LEFT JOIN events e ON e.event_date = d GROUP BY d;
-- The recursive term reads tables too: chains of ids through t (each id to the next one).
WITH RECURSIVE chain(start_id, id, depth) AS (SELECT id, id, 0 FROM t WHERE id <= 3
  UNION ALL SELECT c.start_id, t.id, c.depth + 1 FROM chain c JOIN t ON t.id = c.id + 1 WHERE c.depth < 4)
SELECT start_id, max(depth), count(*) FROM chain GROUP BY start_id;
-- No rows from the first term: none at all.
WITH RECURSIVE t(n) AS (SELECT 1 WHERE false UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT count(*) FROM t;
-- Named columns from the first term when no list is given; used twice.
WITH RECURSIVE t AS (SELECT 1 AS n UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT a.n, b.n FROM t a, t b WHERE a.n < b.n;
-- A filter on the result does not stop the recursion.
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 6) SELECT n FROM t WHERE n % 2 = 0;
-- NULLs are rows like any other under UNION.
WITH RECURSIVE t(n, k) AS (SELECT 1, NULL::INT UNION SELECT n + 1, NULL FROM t WHERE n < 3) SELECT * FROM t;
-- error
WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1, n FROM t WHERE n < 3) SELECT * FROM t;
-- A WITH query's column list naming one column twice: a, a_1.
WITH t(a, a) AS (SELECT 1, 2) SELECT * FROM t;
WITH t(a, a) AS (SELECT 1, 2) SELECT a_1 FROM t;
