SELECT id, YEAR(ts), MONTH(ts), DAY(ts), HOUR(ts), EXTRACT(MINUTE FROM ts), DATE_TRUNC('month', ts),
       CAST(ts AS DATE), CAST(ts AS BIGINT)
FROM t WHERE id IN (1, 4) ORDER BY id