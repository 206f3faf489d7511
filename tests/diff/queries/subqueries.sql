-- Subqueries in WHERE, SELECT and HAVING: uncorrelated and correlated, IN / NOT IN with NULLs
-- on either side (SQL's three-valued rules), EXISTS / NOT EXISTS, scalar subqueries with no,
-- one and (an error) several rows.
SELECT id FROM t WHERE n IN (SELECT n FROM t WHERE grp = 'c');
SELECT id FROM t WHERE n NOT IN (SELECT n FROM t WHERE id < 4);
SELECT id FROM t WHERE n NOT IN (SELECT n FROM t WHERE id < 5);
SELECT id FROM t WHERE n NOT IN (SELECT n FROM t WHERE id > 100);
SELECT id FROM t WHERE n IN (SELECT n FROM t WHERE id > 100);
SELECT id, n IN (SELECT big FROM t WHERE big < 10), n NOT IN (SELECT big FROM t WHERE big < 10) FROM t;
SELECT id, n IN (SELECT n FROM t WHERE id IN (4, 5)), n NOT IN (SELECT n FROM t WHERE id IN (4, 5)) FROM t;
SELECT id, n IN (SELECT n FROM t WHERE id > 100), n NOT IN (SELECT n FROM t WHERE id > 100) FROM t;
SELECT id FROM t WHERE grp IN (SELECT grp FROM t WHERE flag);
SELECT id FROM t WHERE d IN (SELECT amount FROM t);
SELECT id FROM t WHERE amount IN (SELECT n FROM t);
SELECT id FROM t WHERE day IN (SELECT CAST(ts AS DATE) FROM t WHERE id < 6);
SELECT id FROM t WHERE NOT (n IN (SELECT n FROM t WHERE id < 3));
SELECT id FROM t WHERE EXISTS (SELECT 1 FROM t t2 WHERE t2.grp = t.grp AND t2.id > t.id);
SELECT id FROM t WHERE NOT EXISTS (SELECT 1 FROM t t2 WHERE t2.grp = t.grp AND t2.id > t.id);
SELECT id FROM t WHERE EXISTS (SELECT * FROM t t2 WHERE t2.n > 1000);
SELECT id FROM t WHERE NOT EXISTS (SELECT * FROM t t2 WHERE t2.n > 1000);
SELECT id FROM t WHERE EXISTS (SELECT 1 FROM t t2 WHERE t2.n = t.n + 1);
SELECT id FROM t WHERE EXISTS (SELECT 1 FROM t t2 WHERE t2.big = t.n AND t2.id <> t.id);
SELECT id, EXISTS (SELECT 1 FROM t t2 WHERE t2.grp = t.grp AND t2.n > t.n) FROM t;
SELECT id, NOT EXISTS (SELECT 1 FROM t t2 WHERE t2.grp = t.grp AND t2.d < t.d) FROM t;
SELECT id, (SELECT MAX(n) FROM t) FROM t;
SELECT id, n - (SELECT AVG(n) FROM t) FROM t;
SELECT id, (SELECT name FROM t t2 WHERE t2.id = t.id + 1) FROM t;
SELECT id, (SELECT COUNT(*) FROM t t2 WHERE t2.grp = t.grp) FROM t;
SELECT id, (SELECT COUNT(n) FROM t t2 WHERE t2.grp = t.grp), (SELECT SUM(n) FROM t t2 WHERE t2.grp = t.grp) FROM t;
SELECT id, (SELECT COUNT(*) + 10 FROM t t2 WHERE t2.grp = t.grp AND t2.n > 0) FROM t;
SELECT id, (SELECT MAX(t2.id) FROM t t2 WHERE t2.grp = t.grp AND t2.flag) FROM t;
SELECT id FROM t WHERE n > (SELECT AVG(n) FROM t);
SELECT id FROM t WHERE n = (SELECT MAX(n) FROM t t2 WHERE t2.grp = t.grp);
SELECT id FROM t WHERE d > (SELECT AVG(d) FROM t t2 WHERE t2.grp = t.grp);
SELECT id FROM t WHERE (SELECT COUNT(*) FROM t t2 WHERE t2.grp = t.grp) > 2;
SELECT (SELECT COUNT(*) FROM t WHERE n > 0), (SELECT MIN(name) FROM t), (SELECT id FROM t WHERE id > 100);
-- error
SELECT (SELECT id FROM t);
-- error
SELECT id FROM t WHERE n = (SELECT n FROM t t2 WHERE t2.grp = t.grp);
-- error
SELECT id FROM t WHERE n IN (SELECT n, id FROM t);
SELECT grp, COUNT(*) FROM t GROUP BY grp HAVING COUNT(*) > (SELECT COUNT(*) / 6 FROM t);
SELECT grp, COUNT(*), (SELECT COUNT(*) FROM t t2 WHERE t2.grp = t.grp AND t2.n > 0) FROM t GROUP BY grp;
SELECT grp, SUM(n) FROM t WHERE grp IN (SELECT grp FROM t WHERE d > 0) GROUP BY grp;
SELECT id FROM t WHERE id IN (SELECT id FROM t WHERE n > 0) AND id NOT IN (SELECT id FROM t WHERE d > 1);
SELECT id FROM t WHERE n > 0 OR id IN (SELECT id FROM t WHERE grp = 'a');
SELECT id FROM t WHERE id IN (SELECT MAX(id) FROM t GROUP BY grp);
SELECT id FROM t WHERE id IN (SELECT id FROM t t2 WHERE t2.n IN (SELECT n FROM t WHERE n > 5));
SELECT COUNT(*) FROM events WHERE user_id IN (SELECT user_id FROM payments WHERE total > 50);
SELECT COUNT(*) FROM events WHERE user_id NOT IN (SELECT user_id FROM payments);
SELECT COUNT(*) FROM events e WHERE EXISTS (SELECT 1 FROM posts p WHERE p.user_id = e.user_id AND p.event_date = e.event_date);
SELECT COUNT(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM posts p WHERE p.user_id = e.user_id);
SELECT platform, COUNT(*) FROM events e WHERE e.user_id IN (SELECT user_id FROM posts WHERE type = 'photo') GROUP BY platform;
SELECT user_id, (SELECT COUNT(*) FROM posts p WHERE p.user_id = y.user_id) FROM payments y WHERE total > 80;
SELECT type, COUNT(*) FROM posts p WHERE (SELECT SUM(total) FROM payments y WHERE y.user_id = p.user_id) > 100 GROUP BY type;
SELECT COUNT(*) FROM events WHERE event_date = (SELECT MAX(event_date) FROM events);
SELECT g, c FROM (SELECT grp AS g, COUNT(*) AS c FROM t GROUP BY grp) s WHERE c = (SELECT MAX(c) FROM (SELECT COUNT(*) AS c FROM t GROUP BY grp) m);
WITH big AS (SELECT * FROM t WHERE n > 3) SELECT id FROM t WHERE id IN (SELECT id FROM big);
SELECT id FROM t WHERE n IN (SELECT NULL);
SELECT id, n IN (SELECT NULL), NULL IN (SELECT n FROM t), NULL NOT IN (SELECT n FROM t WHERE id > 100) FROM t;
-- EXISTS with a condition beyond the key: a row stops at its first partner that meets it
-- (partners tested in rounds of 1, 2, 4, ...); the answers are those of testing them all.
SELECT count(*) FROM posts p WHERE EXISTS (SELECT 1 FROM payments y WHERE y.user_id = p.user_id AND y.date > p.posted_at);
SELECT count(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM payments y WHERE y.user_id = p.user_id AND y.date > p.posted_at);
SELECT p.id, EXISTS (SELECT 1 FROM payments y WHERE y.user_id = p.user_id AND y.total > 90 AND y.date < p.posted_at) FROM posts p WHERE p.user_id < 300;
SELECT count(*) FROM events e WHERE EXISTS (SELECT 1 FROM events x WHERE x.user_id = e.user_id AND x.event_date > e.event_date + 20);
