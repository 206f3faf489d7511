-- Lists: string_split of real columns, the list functions over them, the list aggregates and
-- UNNEST in the select list and in FROM, with NULLs and empty strings (t's name column holds
-- NULL, '' and mixed case). A list-valued answer is compared as its text (CAST(... AS VARCHAR),
-- DuckDB's), which both engines print the same way.
SELECT id, CAST(string_split(name, 'l') AS VARCHAR) FROM t;
SELECT id, len(string_split(name, 'l')), string_split(name, 'l')[1], string_split(name, 'l')[-1] FROM t;
SELECT id, CAST(string_split(name, '') AS VARCHAR), CAST(list_reverse(string_split(name, '')) AS VARCHAR) FROM t;
SELECT id, CAST([n, big, NULL] AS VARCHAR), CAST([amount, d] AS VARCHAR), CAST([day, ts] AS VARCHAR) FROM t;
SELECT id, list_contains([1, 3, NULL], n), list_position([3, -7], n), list_contains(string_split(name, ''), 'l') FROM t;
SELECT id, array_to_string(string_split(name, 'l'), '+'), array_to_string([grp, name, NULL], '/') FROM t;
SELECT id, CAST(list_sort([n, id, NULL, -1]) AS VARCHAR), CAST(list_sort([name, grp], 'DESC', 'NULLS FIRST') AS VARCHAR) FROM t;
SELECT id, CAST(list_sort(list_distinct([grp, grp, name])) AS VARCHAR), list_min([n, id]), list_max([name, grp]) FROM t;
SELECT id, CAST(list_slice(string_split(name, ''), 2, 3) AS VARCHAR), CAST(string_split(name, '')[-2:] AS VARCHAR) FROM t;
SELECT grp, CAST(list(id ORDER BY id) AS VARCHAR), CAST(list(n ORDER BY id) AS VARCHAR), CAST(list(name ORDER BY name DESC, id) AS VARCHAR) FROM t GROUP BY grp;
SELECT grp, len(list(n)), CAST(list_sort(list(DISTINCT n)) AS VARCHAR) FROM t GROUP BY grp;
SELECT CAST(list(id ORDER BY id) FILTER (WHERE flag) AS VARCHAR) FROM t;
SELECT id, unnest(string_split(name, 'l')) FROM t;
SELECT id, unnest(string_split(name, '')) AS ch FROM t WHERE id < 6;
SELECT id, unnest([n, big]), unnest([grp]) FROM t;
SELECT ch, COUNT(*) FROM t, unnest(string_split(lower(name), '')) AS u(ch) GROUP BY ch;
SELECT id, ch FROM t LEFT JOIN unnest(string_split(name, 'l')) AS u(ch) ON true;
SELECT x, x * 2 FROM unnest([3, 1, NULL, 2]) AS u(x) ORDER BY x;
SELECT grp, unnest(list(id ORDER BY id)) FROM t GROUP BY grp;
SELECT CAST(l AS VARCHAR), COUNT(*) FROM (SELECT list_sort(string_split(name, '')) AS l FROM t) GROUP BY l ORDER BY l;
SELECT id FROM t WHERE string_split(name, 'l') = ['a', 'ice'];
SELECT id FROM t WHERE [n, id] > [0, 0] ORDER BY id;
SELECT part, COUNT(*) FROM events, unnest(string_split(event, '_')) AS u(part) GROUP BY part;
SELECT len(string_split(event, '_')) AS parts, COUNT(*), COUNT(DISTINCT user_id) FROM events GROUP BY parts;
SELECT platform, CAST(list_sort(list(DISTINCT string_split(event, '_')[1])) AS VARCHAR) FROM events GROUP BY platform;
SELECT user_id, CAST(list(event ORDER BY timestamp, event) AS VARCHAR) FROM events WHERE user_id IN (SELECT user_id FROM payments WHERE total > 100) GROUP BY user_id;
SELECT COUNT(*) FROM events WHERE list_contains(string_split(event, '_'), 'hashtags');
SELECT e, COUNT(*) FROM (SELECT unnest(string_split(event, '_')) AS e FROM events WHERE platform = 'web') GROUP BY e;
