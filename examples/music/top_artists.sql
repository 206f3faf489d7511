-- The 10 most played artists (by the artist name of each play; ties by name), with how many
-- distinct users played them and whether the artist is in the artists table.
SELECT p.artist_name, COUNT(*) AS plays, COUNT(DISTINCT p.user_id) AS users,
       MAX(p.artist_id) AS artist_id
FROM songplays p
GROUP BY p.artist_name
ORDER BY plays DESC, p.artist_name
LIMIT 10;
