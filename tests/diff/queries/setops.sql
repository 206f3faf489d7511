-- Set operations with duplicates and NULLs (NULLs are equal to each other here), their
-- precedence (INTERSECT first), VALUES lists with column names.
SELECT n FROM t EXCEPT SELECT n FROM t WHERE id < 5;
SELECT grp FROM t EXCEPT SELECT grp FROM t WHERE id > 9;
SELECT grp FROM t EXCEPT ALL SELECT grp FROM t WHERE id > 3;
SELECT grp FROM t INTERSECT SELECT grp FROM t WHERE id > 3;
SELECT grp FROM t INTERSECT ALL SELECT grp FROM t WHERE id > 3;
SELECT grp, flag FROM t INTERSECT SELECT grp, flag FROM t WHERE n > 0;
SELECT grp FROM t WHERE id < 3 UNION SELECT grp FROM t WHERE id > 10 EXCEPT SELECT 'a';
SELECT grp FROM t WHERE id < 5 UNION ALL SELECT grp FROM t WHERE id < 5 INTERSECT SELECT grp FROM t WHERE id = 1;
SELECT grp FROM t WHERE id < 5 EXCEPT SELECT grp FROM t WHERE id = 1 UNION ALL SELECT grp FROM t WHERE id < 3;
SELECT n FROM t WHERE id < 4 UNION SELECT n FROM t WHERE id < 6 UNION ALL SELECT n FROM t WHERE id < 3;
(SELECT n FROM t EXCEPT SELECT n FROM t WHERE n > 0) UNION ALL SELECT 1000;
SELECT d FROM t EXCEPT SELECT amount FROM t;
SELECT n FROM t WHERE id > 100 EXCEPT SELECT n FROM t;
SELECT n FROM t INTERSECT SELECT n FROM t WHERE id > 100;
SELECT user_id FROM events EXCEPT SELECT user_id FROM payments;
SELECT user_id FROM posts INTERSECT SELECT user_id FROM payments;
SELECT platform, event FROM events EXCEPT ALL SELECT platform, event FROM events WHERE hashtag_count > 1;
-- ordered
SELECT n FROM t EXCEPT SELECT n FROM t WHERE id < 5 ORDER BY 1;
-- ordered
SELECT grp FROM t INTERSECT SELECT grp FROM t WHERE id > 3 ORDER BY grp DESC NULLS LAST LIMIT 3;
SELECT * FROM (VALUES (1, 'a'), (2, NULL), (3, 'c')) v(x, y);
SELECT x, y FROM (VALUES (1, 'a'), (2, NULL), (3, 'c')) v(x, y) WHERE x > 1;
SELECT * FROM (VALUES (1, 2.5), (NULL, 3), (4, NULL)) AS v(a, b);
SELECT * FROM (VALUES (DATE '2022-01-01', TIMESTAMP '2022-01-01 10:00:00'), ('2022-02-01', '2022-02-01 00:00:00')) v(d, t);
SELECT t.id, v.label FROM t JOIN (VALUES ('a', 'first'), ('b', 'second')) v(g, label) ON t.grp = v.g;
SELECT a, b FROM (SELECT id, name FROM t WHERE id < 3) s(a, b);
VALUES (1, 'x'), (2, 'y');
SELECT * FROM (VALUES (1), (1), (2)) v(x) EXCEPT SELECT 2;
