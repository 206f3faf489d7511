-- Cases a review found wrong or crashing: EXISTS / IN / NOT IN over a correlated aggregate
-- without GROUP BY (one row for every outer row: COUNT's 0 where there are none), a subquery
-- condition without FROM, ROLLUP over no rows, STRING_AGG with a NULL separator, COUNT_IF with
-- a FILTER that keeps nothing, NTH_VALUE past the frame.
SELECT id FROM t WHERE EXISTS (SELECT COUNT(*) FROM t t2 WHERE t2.grp = t.grp AND t2.n > 1000);
SELECT id FROM t WHERE NOT EXISTS (SELECT MAX(n) FROM t t2 WHERE t2.grp = t.grp);
SELECT id FROM t WHERE 0 IN (SELECT COUNT(*) FROM t t2 WHERE t2.grp = t.grp AND t2.n > 5);
SELECT id FROM t WHERE n NOT IN (SELECT MAX(n) FROM t t2 WHERE t2.grp = t.grp);
SELECT id, n IN (SELECT MAX(n) FROM t t2 WHERE t2.grp = t.grp), EXISTS (SELECT SUM(n) FROM t t2 WHERE t2.id = t.id + 100) FROM t;
SELECT id, (SELECT DISTINCT COUNT(*) FROM t t2 WHERE t2.grp = t.grp AND t2.flag) FROM t;
SELECT 1 WHERE EXISTS (SELECT 1 FROM t);
SELECT 1 WHERE 1 NOT IN (SELECT n FROM t WHERE id > 100);
SELECT 1 WHERE 3 IN (SELECT n FROM t);
SELECT grp, COUNT(*), GROUPING(grp) FROM t WHERE id > 100 GROUP BY ROLLUP(grp);
SELECT grp, flag, SUM(n) FROM t WHERE id > 100 GROUP BY CUBE(grp, flag);
SELECT STRING_AGG(grp, NULL), COUNT_IF(n > 1) FILTER (WHERE id > 100), COUNT_IF(n > 1) FROM t;
SELECT grp, COUNT_IF(n > 1) FILTER (WHERE d > 100) FROM t GROUP BY grp;
SELECT id, NTH_VALUE(id, 9223372036854775807) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) FROM t;
-- error
SELECT id FROM t WHERE id > 100 AND id = (SELECT n FROM t);
