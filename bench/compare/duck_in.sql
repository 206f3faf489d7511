SET threads = 2;
SELECT COUNT(*) FROM events WHERE user_id IN (SELECT user_id FROM payments WHERE total > 50);
