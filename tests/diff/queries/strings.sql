-- String functions: Unicode text, empty strings, NULLs, positions out of range.
SELECT id, UPPER(name), LOWER(name), UCASE(grp), LCASE(name) FROM t;
SELECT UPPER('straße'), LOWER('ÀÉÎ'), UPPER('é'), LOWER('ǅ'), UPPER('');
SELECT id, LENGTH(name), CHAR_LENGTH(name), LEN(name), STRLEN(name) FROM t;
SELECT id, TRIM(name), LTRIM(name), RTRIM(name), LENGTH(TRIM(name)) FROM t;
SELECT TRIM('xxaxx', 'x'), LTRIM('xxa', 'x'), RTRIM('axx', 'x'), TRIM('  a  '), TRIM('abcba', 'ab'), TRIM('', 'x'), TRIM('aaa', 'a');
SELECT id, SUBSTRING(name, 2), SUBSTRING(name, 2, 3), SUBSTR(name, -3), SUBSTR(name, -3, 2), SUBSTRING(name, 0, 2) FROM t;
SELECT SUBSTRING('hello', 0, 2), SUBSTRING('hello', -10, 7), SUBSTRING('hello', 3, 0), SUBSTRING('hello', 6), SUBSTRING('hello', 2, -1), SUBSTRING('héllo', 2, 2);
SELECT id, LEFT(name, 3), RIGHT(name, 3), LEFT(name, -2), RIGHT(name, -2), LEFT(name, 0) FROM t;
SELECT id, REVERSE(name), REPEAT(grp, 3), REPEAT(name, 0), REPEAT(name, -1) FROM t;
SELECT id, REPLACE(name, 'l', 'L'), REPLACE(name, '', 'x'), REPLACE(name, 'a', '') FROM t;
SELECT id, CONCAT(name, '-', grp), CONCAT(name, NULL), CONCAT(n, d, amount), name || '/' || grp FROM t;
SELECT id, CONCAT_WS(',', name, grp, n), CONCAT_WS(NULL, name), CONCAT_WS('', grp, grp) FROM t;
SELECT id, SPLIT_PART(name, ' ', 1), SPLIT_PART(name, ' ', 2), SPLIT_PART(name, ',', -1), SPLIT_PART(name, ',', 5), SPLIT_PART(name, ',', 0) FROM t;
SELECT SPLIT_PART('a,b,c', ',', 2), SPLIT_PART('a,b,c', '', 1), SPLIT_PART('', ',', 1), SPLIT_PART('a,,b', ',', 2), SPLIT_PART('abc', 'abc', 2);
SELECT id, LPAD(name, 8, '*'), RPAD(name, 8, '-='), LPAD(name, 2, 'x'), RPAD(name, 0, 'x'), LPAD(grp, 3, 'ü') FROM t;
SELECT LPAD('abc', 5, 'xy'), RPAD('abc', 6, 'xy'), LPAD('abc', -1, 'x'), LPAD('é', 3, 'ü');
-- error
SELECT LPAD('abc', 5, '');
SELECT id, STRPOS(name, 'l'), INSTR(name, 'o'), POSITION('a' IN name), STRPOS(name, '') FROM t;
SELECT STRPOS('héllo', 'l'), INSTR('hello', 'xyz'), STRPOS('', ''), STRPOS('abc', 'c');
SELECT id, STARTS_WITH(name, 'a'), ENDS_WITH(name, 'e'), STARTS_WITH(name, ''), ENDS_WITH(grp, grp) FROM t;
SELECT id, ASCII(name), CHR(ASCII(name)) FROM t WHERE name <> '';
SELECT CHR(233), CHR(65), ASCII('é'), ASCII(''), ASCII('日本'), CHR(26085);
-- error
SELECT CHR(-1);
SELECT id, TRANSLATE(name, 'lo', '01'), TRANSLATE(name, 'aeiou', ''), TRANSLATE(name, '', 'x') FROM t;
SELECT TRANSLATE('hello', 'el', 'ip'), TRANSLATE('hello', 'el', 'i');
SELECT UPPER(NULL), LENGTH(NULL), SUBSTRING(NULL, 1), LEFT(NULL, 2), LPAD(NULL, 3, 'x'), REPEAT(NULL, 2), STRPOS(NULL, 'a'), REVERSE(NULL);
SELECT LPAD('x', NULL, 'a'), SUBSTRING('abc', NULL), REPEAT('a', NULL), SPLIT_PART('a', NULL, 1);
SELECT platform, UPPER(platform), LENGTH(platform), LEFT(platform, 3), COUNT(*) FROM events GROUP BY platform;
SELECT SUBSTRING(id, 1, 6), COUNT(*) FROM payments GROUP BY 1;
SELECT type, REPLACE(type, '_', ' '), COUNT(*) FROM posts GROUP BY type;
SELECT id, name LIKE '%l%', name ILIKE 'H%', name NOT LIKE '_o%', name LIKE 'x\_y%', name LIKE 'x!_y%' ESCAPE '!', name LIKE '%!%%' ESCAPE '!', name NOT LIKE 'a%' ESCAPE '' FROM t;
SELECT 'a%b' LIKE 'a\%b' ESCAPE '\', 'axb' LIKE 'a\%b' ESCAPE '\', 'a\b' LIKE 'a\b', NULL LIKE 'a', 'a' LIKE NULL, 'é' LIKE '_', 'ab' LIKE '%_';
SELECT COUNT(*) FROM events WHERE event LIKE 'post%' AND platform IN ('twitter', 'facebook');
SELECT id, CONCAT_WS(' ', UPPER(LEFT(name, 1)), LOWER(SUBSTRING(name, 2))) FROM t WHERE name <> '';
SELECT REPLACE(REPEAT('ab', 3), 'ba', '-'), REVERSE(LPAD('7', 3, '0')), SPLIT_PART(CONCAT('x', ',', 'y'), ',', 2);
SELECT LENGTH(''), UPPER(''), TRIM(''), SUBSTRING('', 1, 2), LPAD('', 2, 'ab'), REPEAT('', 5), REVERSE('');
-- wh-error: DISTINCT is not supported in STRING_AGG with a second argument or an ORDER BY
SELECT platform, STRING_AGG(DISTINCT event, ',' ORDER BY event) FROM events GROUP BY platform;
SELECT platform, STRING_AGG(DISTINCT event) FROM events GROUP BY platform HAVING COUNT(DISTINCT event) = 1;
SELECT grp, COUNT(*) FROM t WHERE STARTS_WITH(LOWER(name), 'h') OR ENDS_WITH(name, 'l') GROUP BY grp;
SELECT id, MD5(name), SHA256(name), SHA1(name) FROM t;
SELECT MD5(REPEAT('a', 55)), MD5(REPEAT('a', 56)), MD5(REPEAT('a', 64)), SHA256(REPEAT('ab', 60)), SHA1(REPEAT('x', 119)), MD5(''), SHA256('');
SELECT platform, MD5(STRING_AGG(DISTINCT event)) FROM events GROUP BY platform HAVING COUNT(DISTINCT event) = 1;
