-- Everyday SELECTs over the bundled sample and the edge-case table: filters with three-valued
-- logic, CASE, casts, GROUP BY / HAVING, DISTINCT, joins, subqueries in FROM, windows, UNION.
SELECT * FROM t;
SELECT id, n, d FROM t WHERE n > 0 AND d > 0;
SELECT id FROM t WHERE NOT flag;
SELECT id FROM t WHERE flag IS NULL OR n IS NULL;
SELECT id, n BETWEEN -5 AND 5, n IN (1, 3, 5), n NOT IN (1, 3), grp IN ('a', NULL) FROM t;
SELECT id, CASE WHEN n > 0 THEN 'pos' WHEN n < 0 THEN 'neg' ELSE 'zero or null' END, CASE grp WHEN 'a' THEN 1 WHEN 'b' THEN 2 END FROM t;
SELECT id, CAST(n AS DOUBLE), CAST(d AS BIGINT), CAST(amount AS INT), CAST(amount AS DOUBLE), CAST(n AS STRING), CAST(flag AS INT) FROM t WHERE ABS(d) < 1e9 OR d IS NULL;
SELECT CAST('42' AS INT), CAST('3.5' AS DOUBLE), CAST('2022-01-02' AS DATE), CAST('true' AS BOOLEAN), CAST(3.7 AS INT), CAST(-3.5 AS INT), CAST(2.5 AS BIGINT);
SELECT TRY_CAST('x' AS INT), TRY_CAST('12' AS INT), TRY_CAST('2022-13-01' AS DATE);
SELECT grp, COUNT(*), COUNT(n), SUM(n), MIN(n), MAX(n), AVG(n), SUM(d), AVG(amount), MIN(name), MAX(day) FROM t GROUP BY grp;
SELECT grp, COUNT(*) AS c FROM t GROUP BY grp HAVING COUNT(*) > 1;
SELECT COUNT(*), COUNT(DISTINCT grp), SUM(DISTINCT n), STDDEV(d), STDDEV_POP(n), VARIANCE(amount), VAR_POP(d) FROM t;
SELECT DISTINCT grp FROM t;
SELECT DISTINCT flag, grp IS NULL FROM t;
-- ordered
SELECT id, name FROM t ORDER BY n DESC NULLS LAST, id LIMIT 5;
-- ordered
SELECT id FROM t ORDER BY d NULLS FIRST, id;
-- ordered
SELECT id, amount FROM t ORDER BY amount DESC, id LIMIT 3 OFFSET 2;
SELECT a.id, b.id FROM t a JOIN t b ON a.n = b.n AND a.id < b.id;
SELECT a.id, b.grp FROM t a LEFT JOIN t b ON a.grp = b.grp AND b.id > 10;
SELECT a.id, b.id FROM t a FULL OUTER JOIN t b ON a.n = b.big;
SELECT a.grp, COUNT(*) FROM t a CROSS JOIN t b WHERE a.id = b.id GROUP BY a.grp;
SELECT g, c FROM (SELECT grp AS g, COUNT(*) AS c FROM t GROUP BY grp) s WHERE c >= 2;
WITH x AS (SELECT grp, SUM(n) AS s FROM t GROUP BY grp) SELECT grp, s * 2 FROM x WHERE s IS NOT NULL;
SELECT id, grp, ROW_NUMBER() OVER (PARTITION BY grp ORDER BY id), RANK() OVER (ORDER BY n), DENSE_RANK() OVER (ORDER BY grp) FROM t;
SELECT id, SUM(n) OVER (PARTITION BY grp), SUM(n) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), AVG(d) OVER (PARTITION BY grp ORDER BY id) FROM t;
SELECT id, LAG(n) OVER (ORDER BY id), LEAD(n, 2) OVER (ORDER BY id), FIRST_VALUE(name) OVER (PARTITION BY grp ORDER BY id), LAST_VALUE(name) OVER (PARTITION BY grp ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t;
SELECT id, COUNT(*) OVER (PARTITION BY grp), MIN(d) OVER (PARTITION BY flag), MAX(amount) OVER () FROM t;
SELECT grp FROM t WHERE id < 3 UNION SELECT grp FROM t WHERE id > 10;
SELECT grp FROM t WHERE id < 3 UNION ALL SELECT grp FROM t WHERE id > 10;
SELECT platform, COUNT(*), COUNT(DISTINCT user_id), SUM(hashtag_count) FROM events GROUP BY platform;
SELECT event, platform, COUNT(*) FROM events GROUP BY event, platform HAVING COUNT(*) > 100;
SELECT e.platform, COUNT(*) FROM events e JOIN posts p ON e.user_id = p.user_id AND e.event_date = p.event_date GROUP BY e.platform;
SELECT p.type, COUNT(DISTINCT p.user_id), SUM(y.total) FROM posts p JOIN payments y ON p.user_id = y.user_id GROUP BY p.type;
SELECT user_id, COUNT(*) AS c FROM posts GROUP BY user_id HAVING COUNT(*) >= 5;
SELECT currency, paid, COUNT(*), SUM(total), AVG(tax_percent), MIN(amount_due), MAX(received_at) FROM payments GROUP BY currency, paid;
SELECT COUNT(*), COUNT(charge_id), COUNT(DISTINCT discount_id), SUM(CASE WHEN attempted THEN 1 ELSE 0 END) FROM payments;
SELECT user_id, SUM(total) OVER (PARTITION BY user_id) FROM payments WHERE user_id < -9000000000000000000;
SELECT COUNT(*) FROM (SELECT DISTINCT user_id FROM events) s;
SELECT type, active, delivered, COUNT(*), MIN(posted_at), MAX(scheduled_at) FROM posts GROUP BY type, active, delivered;
SELECT COUNT(*) FROM t WHERE 1 = 0;
SELECT SUM(n), AVG(d), MIN(name), COUNT(*) FROM t WHERE id > 100;
SELECT grp, SUM(n) FROM t WHERE id > 100 GROUP BY grp;
SELECT NULL = NULL, NULL AND FALSE, NULL OR TRUE, NOT NULL, 1 = NULL, NULL IS NULL;
SELECT id, grp, NTILE(3) OVER (ORDER BY id), NTILE(2) OVER (PARTITION BY grp ORDER BY id), NTILE(20) OVER (ORDER BY id) FROM t;
SELECT id, PERCENT_RANK() OVER (ORDER BY n), CUME_DIST() OVER (ORDER BY n), PERCENT_RANK() OVER (PARTITION BY grp ORDER BY d), CUME_DIST() OVER (PARTITION BY grp ORDER BY id) FROM t;
SELECT id, NTH_VALUE(name, 2) OVER (PARTITION BY grp ORDER BY id), NTH_VALUE(n, 1) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING), NTH_VALUE(n, 3) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) FROM t;
SELECT id, SUM(n) OVER w, ROW_NUMBER() OVER w, MAX(d) OVER (v ORDER BY id) FROM t WINDOW w AS (PARTITION BY grp ORDER BY id), v AS (PARTITION BY flag);
SELECT user_id, event_date, NTILE(4) OVER (PARTITION BY user_id ORDER BY timestamp) AS q FROM events WHERE user_id < -9100000000000000000;
