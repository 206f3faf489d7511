-- Free vs paid: plays at each level (the level of the play, not the user's latest), the users
-- who played at that level, and the share of all plays.
SELECT level, COUNT(*) AS plays, COUNT(DISTINCT user_id) AS users,
       ROUND(100.0 * COUNT(*) / SUM(COUNT(*)) OVER (), 2) AS percent_of_plays
FROM songplays
GROUP BY level
ORDER BY level;
