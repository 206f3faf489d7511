-- JSON text in STRING columns; IS [NOT] DISTINCT FROM, IS [NOT] TRUE/FALSE, integer division,
-- division by zero.
SELECT JSON_EXTRACT_STRING('{"a": {"b": [1, "x", {"c": true}]}, "n": 1.50}', '$.a.b[1]'), JSON_EXTRACT('{"a": {"b": [1, "x"]}}', '$.a.b'), '{"a": 1}'->>'a', '{"a": 1}'->'a';
SELECT '{"n": 1.50}'->>'$.n', '{"z": null}'->>'z', '{"s": "x"}'->'s', '[10, 20]'->>1, '{"a": {"b": 2}}'->>'/a/b', JSON_EXTRACT_STRING('{"a": [1,2]}', '$.a');
SELECT '{"a":1}'->>'$.missing', '{"a": {"b": [1, {"c": true}]}}'->>'$.a.b[1].c', '{"a": 1.0e2}'->'a', '{"a": {"x": 1,  "y": [ 2 ]}}'->'a', '{"z": null}'->'z';
SELECT '{"a.b": 5}'->>'$."a.b"', '[1,2,3]'->>'$[-1]', '{"a":[{"b":1},{"b":2}]}'->>'$.a[1].b', '{"q": "say \"hi\""}'->>'q', '{"q": "say \"hi\""}'->'q';
SELECT JSON_VALID('{"a": 1}'), JSON_VALID('{a: 1}'), JSON_VALID('[]'), JSON_EXTRACT_STRING(NULL, '$.a');
SELECT id, CONCAT('{"k": ', CAST(n AS STRING), '}')->>'k' FROM t WHERE n IS NOT NULL;
-- error
SELECT JSON_EXTRACT_STRING('not json', '$.a');
SELECT id, n IS DISTINCT FROM big, n IS NOT DISTINCT FROM big, grp IS DISTINCT FROM NULL, name IS NOT DISTINCT FROM '' FROM t;
SELECT NULL IS DISTINCT FROM NULL, 1 IS DISTINCT FROM NULL, NULL IS NOT DISTINCT FROM NULL;
SELECT id, flag IS TRUE, flag IS NOT TRUE, flag IS FALSE, flag IS NOT FALSE FROM t;
SELECT a.id, b.id FROM t a JOIN t b ON a.grp IS NOT DISTINCT FROM b.grp AND a.id < b.id;
SELECT 7 // 2, -7 // 2, n // 3, big // -2 FROM t WHERE ABS(big) < 1000000000000;
SELECT 1 / 0, -1 / 0, 1 % 0, 1 // 0, 1.5 / 0, 1.5 % 0, 0.0 / 0;
SELECT id, d / 0, n % 0, amount % 0 FROM t;
