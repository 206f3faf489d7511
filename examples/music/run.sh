#!/usr/bin/env bash
# The music example: builds wh (unless $WH names a binary), loads the raw JSON logs and song
# files into staging tables, builds the star schema (star.sql) and prints the songplays by hour
# of day. With an output directory, writes every report and every star table as CSV there.
#
#   bash examples/music/run.sh [OUT_DIR]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../common.sh"

wh query -f "$HERE/schema.sql"
# A directory stands for every file below it; a pattern works too ('log_data/**/*.json').
wh ingest staging_events "$HERE/data/log_data" --time-format ts=epoch_ms >&2
wh ingest staging_songs "$HERE/data/song_data" >&2
wh query -f "$HERE/star.sql" > /dev/null
if [ $# -ge 1 ]; then
  mkdir -p "$1"
  for q in plays_by_hour top_artists user_agents levels; do
    wh query -f "$HERE/$q.sql" --format csv -o "$1/$q.csv"
  done
  wh query "SELECT * FROM songs ORDER BY song_id" --format csv -o "$1/songs.csv"
  wh query "SELECT * FROM artists ORDER BY artist_id" --format csv -o "$1/artists.csv"
  wh query "SELECT * FROM users ORDER BY user_id" --format csv -o "$1/users.csv"
  wh query "SELECT * FROM time ORDER BY start_time" --format csv -o "$1/time.csv"
  wh query "SELECT start_time, user_id, level, song_id, artist_id, session_id, location, user_agent
            FROM songplays ORDER BY start_time, user_id, session_id" --format csv -o "$1/songplays.csv"
else
  wh query -f "$HERE/plays_by_hour.sql" --format csv
fi
