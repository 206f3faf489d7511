SET threads = 2;
SELECT COUNT(*) FROM posts p WHERE NOT EXISTS (SELECT 1 FROM payments y WHERE y.user_id = p.user_id AND y.paid);
