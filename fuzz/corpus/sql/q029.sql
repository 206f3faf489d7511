SELECT id, CASE WHEN amount > 50 THEN 'big' WHEN amount > 5 THEN 'mid' ELSE 'small' END,
       IF(flag, 'y', 'n'), COALESCE(name, 'anon'), NULLIF(n, 0), LEAST(amount, 5), GREATEST(n, id)
FROM t ORDER BY id