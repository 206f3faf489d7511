WITH s AS (SELECT id, COUNT(*) AS n FROM b GROUP BY id)
SELECT a.id, n FROM a LEFT JOIN s ON a.id = s.id ORDER BY a.id