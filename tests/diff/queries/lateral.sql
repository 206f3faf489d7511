-- LATERAL: a subquery in FROM that names the columns of the tables before it, decorrelated into
-- a join (conditions of its WHERE become keys; ORDER BY ... LIMIT n the first n per row).

-- The two latest payments of each of a few users (top n per group).
SELECT u.user_id, p.date, p.total FROM (SELECT DISTINCT user_id FROM payments WHERE user_id < 80) u,
  LATERAL (SELECT date, total FROM payments x WHERE x.user_id = u.user_id ORDER BY date DESC, total LIMIT 2) p;
SELECT u.user_id, p.date FROM (SELECT DISTINCT user_id FROM payments WHERE user_id < 80) u
  CROSS JOIN LATERAL (SELECT date FROM payments x WHERE x.user_id = u.user_id ORDER BY date LIMIT 1 OFFSET 1) p;
-- An aggregate per row: one row for every row before it, COUNT of none is 0.
SELECT e.user_id, s.n, s.total FROM (SELECT DISTINCT user_id FROM events WHERE user_id < 60) e,
  LATERAL (SELECT count(*) AS n, sum(total) AS total FROM payments p WHERE p.user_id = e.user_id) s;
-- LEFT JOIN LATERAL keeps rows the subquery has nothing for.
SELECT e.user_id, p.total FROM (SELECT DISTINCT user_id FROM events WHERE user_id < 60) e
  LEFT JOIN LATERAL (SELECT total FROM payments p WHERE p.user_id = e.user_id AND total > 100) p ON true;
SELECT e.user_id, p.total FROM (SELECT DISTINCT user_id FROM events WHERE user_id < 60) e
  LEFT JOIN LATERAL (SELECT total FROM payments p WHERE p.user_id = e.user_id) p ON p.total > 50;
-- Values computed from each row (no FROM).
SELECT id, x, y FROM t, LATERAL (SELECT n * 2 AS x, name || '!' AS y) l;
SELECT id, z FROM t, LATERAL (SELECT id + big / 2 AS z) l WHERE z IS NOT NULL;
-- A non-equality condition on the row before it.
SELECT a.id, b.id FROM t a, LATERAL (SELECT id FROM t b WHERE b.id > a.id AND b.id <= a.id + 2) b;
-- Uncorrelated LATERAL is a cross join.
SELECT count(*) FROM t, LATERAL (SELECT 1 AS one UNION ALL SELECT 2) x;
-- Correlated scalar subqueries with ORDER BY ... LIMIT 1 (the latest value per row).
SELECT e.user_id, (SELECT total FROM payments p WHERE p.user_id = e.user_id ORDER BY date DESC, total LIMIT 1) AS last_total
  FROM (SELECT DISTINCT user_id FROM events WHERE user_id < 60) e;
-- ON over a LATERAL aggregate without GROUP BY: it sees COUNT 0 of rows without a group, and a
-- row failing it keeps NULLs (LEFT) or goes (inner).
WITH a(id, g) AS (VALUES (1,10),(2,20),(3,NULL),(4,40)), b(g, v) AS (VALUES (10,5),(10,5),(10,3),(20,7),(20,NULL),(NULL,9),(40,1))
SELECT a.id, x.c FROM a LEFT JOIN LATERAL (SELECT COUNT(*) AS c FROM b WHERE b.g = a.g) x ON x.c > 1;
WITH a(id, g) AS (VALUES (1,10),(2,20),(3,NULL),(4,40)), b(g, v) AS (VALUES (10,5),(10,5),(10,3),(20,7),(20,NULL),(NULL,9),(40,1))
SELECT a.id, x.c FROM a JOIN LATERAL (SELECT COUNT(*) AS c FROM b WHERE b.g = a.g) x ON x.c < 2;
WITH a(id, g) AS (VALUES (1,10),(2,20),(3,NULL),(4,40)), b(g, v) AS (VALUES (10,5),(10,5),(10,3),(20,7),(20,NULL),(NULL,9),(40,1))
SELECT a.id, x.c, x.s FROM a LEFT JOIN LATERAL (SELECT COUNT(*) AS c, SUM(v) AS s FROM b WHERE b.g = a.g) x ON x.c >= a.id;
SELECT COUNT(p.n) FROM (SELECT DISTINCT user_id FROM events) e LEFT JOIN LATERAL (SELECT COUNT(*) AS n FROM payments p WHERE p.user_id = e.user_id) p ON p.n > 3;
-- LATERAL without FROM, with ON: a filter (JOIN) or blanked values (LEFT JOIN).
WITH a(id, g) AS (VALUES (1,10),(2,20),(3,NULL)) SELECT a.id, x.d FROM a JOIN LATERAL (SELECT a.g AS d) x ON x.d > 15;
WITH a(id, g) AS (VALUES (1,10),(2,20),(3,NULL)) SELECT a.id, x.d, x.e FROM a LEFT JOIN LATERAL (SELECT a.g AS d, a.id * 2 AS e) x ON x.d > 15;
