-- Regular expressions (RE2 syntax in both engines); DuckDB's defaults: group 0, first match only.
SELECT id, REGEXP_MATCHES(name, 'l+'), REGEXP_MATCHES(name, '^[a-z]+$'), REGEXP_FULL_MATCH(name, '[a-z ]+') FROM t;
SELECT id, REGEXP_MATCHES(name, 'HEL', 'i'), REGEXP_MATCHES(name, 'HEL', 'c') FROM t;
SELECT id, REGEXP_EXTRACT(name, '[a-z]+'), REGEXP_EXTRACT(name, '([a-z]+) ([a-z]+)', 2), REGEXP_EXTRACT(name, 'x(\d)', 1) FROM t;
SELECT REGEXP_EXTRACT('abc123def', '[0-9]+'), REGEXP_EXTRACT('abc123def', '([a-z]+)([0-9]+)', 2), REGEXP_EXTRACT('abc', 'x'), REGEXP_EXTRACT('abc', '(a)(b)', 3);
SELECT id, REGEXP_REPLACE(name, 'l', 'L'), REGEXP_REPLACE(name, 'l', 'L', 'g'), REGEXP_REPLACE(name, '([a-z])([a-z])', '\2\1', 'g') FROM t;
SELECT REGEXP_REPLACE('aaa', 'a', 'b'), REGEXP_REPLACE('aaa', 'a', 'b', 'g'), REGEXP_REPLACE('abc', '(b)', '[\1]'), REGEXP_REPLACE('abc', 'b', '$0'), REGEXP_REPLACE('Hello', 'h', 'j', 'gi');
SELECT REGEXP_MATCHES(NULL, 'a'), REGEXP_MATCHES('a', NULL), REGEXP_EXTRACT(NULL, 'a'), REGEXP_REPLACE('a', NULL, 'b');
-- error
SELECT REGEXP_MATCHES('abc', '(');
SELECT id FROM t WHERE REGEXP_MATCHES(name, '^[A-Z]');
SELECT platform, COUNT(*) FROM events WHERE REGEXP_MATCHES(event, '^post_') GROUP BY platform;
SELECT REGEXP_EXTRACT(id, 'in_([0-9A-Za-z]{4})', 1) AS k, COUNT(*) FROM payments GROUP BY k HAVING COUNT(*) > 3;
SELECT id, REGEXP_MATCHES(name, grp) FROM t WHERE grp IS NOT NULL;
SELECT COUNT(*) FROM t WHERE name SIMILAR TO '[a-z]+';
SELECT id, name SIMILAR TO 'h.*', name NOT SIMILAR TO '[a-z]+', grp SIMILAR TO NULL FROM t;
SELECT 'abc' SIMILAR TO 'b', 'abc' SIMILAR TO 'a.c', 'ABC' SIMILAR TO 'abc';
