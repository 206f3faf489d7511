#!/usr/bin/env python3
"""The music example's star schema and reports computed from its JSON files with Python alone
(no wh), as examples/music/README.md defines them.

    music_expected.py DATA_DIR OUT_DIR
"""
import collections
import datetime as dt
import glob
import json
import sys
from decimal import ROUND_HALF_UP, Decimal

data, out = sys.argv[1], sys.argv[2]
events = [json.loads(line) for f in sorted(glob.glob(f"{data}/log_data/**/*.json", recursive=True))
          for line in open(f, encoding="utf-8") if line.strip()]
songs = [json.load(open(f, encoding="utf-8")) for f in glob.glob(f"{data}/song_data/**/*.json", recursive=True)]


def text(v):
    """A value as wh writes it in CSV (NULL empty, doubles shortest, quoting when needed)."""
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v == int(v) and abs(v) < 1e15 else repr(v)
    s = str(v)
    return '"' + s.replace('"', '""') + '"' if any(c in s for c in ',"\n\r') else s


def ts(ms):
    t = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
    s = t.strftime("%Y-%m-%d %H:%M:%S")
    return s + ("." + f"{t.microsecond:06d}".rstrip("0") if t.microsecond else "")


def write(name, header, rows):
    with open(f"{out}/{name}.csv", "w", newline="", encoding="utf-8") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(text(v) for v in r) + "\n")


plays = [e for e in events if e["page"] == "NextSong"]
uid = lambda e: int(e["userId"]) if e["userId"] != "" else None

write("songs", "song_id,title,artist_id,year,duration",
      sorted({(s["song_id"], s["title"], s["artist_id"], s["year"], s["duration"]) for s in songs}))
write("artists", "artist_id,name,location,latitude,longitude",
      sorted({(s["artist_id"], s["artist_name"], s["artist_location"], s["artist_latitude"], s["artist_longitude"])
              for s in songs}))
latest = {}
for e in plays:
    if uid(e) is not None and (uid(e) not in latest or e["ts"] > latest[uid(e)]["ts"]):
        latest[uid(e)] = e
write("users", "user_id,first_name,last_name,gender,level",
      [(u, e["firstName"], e["lastName"], e["gender"], e["level"]) for u, e in sorted(latest.items())])
times = []
for ms in sorted({e["ts"] for e in plays}):
    t = dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=ms)
    times.append((ts(ms), t.hour, t.day, t.isocalendar()[1], t.month, t.year, t.isoweekday() % 7))
write("time", "start_time,hour,day,week,month,year,weekday", times)
by_key = {(s["title"], s["artist_name"]): s for s in songs}
songplays = []
for e in plays:
    s = by_key.get((e["song"], e["artist"]))
    songplays.append((e["ts"], uid(e), e["level"], s and s["song_id"], s and s["artist_id"], e["sessionId"],
                      e["location"], e["userAgent"], e["artist"]))
songplays.sort(key=lambda p: (p[0], p[1] is None, p[1] or 0, p[5]))
write("songplays", "start_time,user_id,level,song_id,artist_id,session_id,location,user_agent",
      [(ts(p[0]),) + p[1:8] for p in songplays])

hours = collections.Counter((dt.datetime(1970, 1, 1) + dt.timedelta(milliseconds=p[0])).hour for p in songplays)
write("plays_by_hour", "hour,plays", sorted(hours.items()))


def top(key, n=10):
    plays_of, users_of, ids = collections.Counter(), collections.defaultdict(set), collections.defaultdict(set)
    for p in songplays:
        plays_of[key(p)] += 1
        if p[1] is not None:
            users_of[key(p)].add(p[1])
        if p[4] is not None:
            ids[key(p)].add(p[4])
    rows = sorted(plays_of.items(), key=lambda kv: (-kv[1], kv[0] is None, kv[0] or ""))[:n]
    return [(k, c, len(users_of[k]), max(ids[k]) if ids[k] else None) for k, c in rows]


write("top_artists", "artist_name,plays,users,artist_id", top(lambda p: p[8]))
write("user_agents", "user_agent,plays,users", [r[:3] for r in top(lambda p: p[7])])
levels = collections.Counter(p[2] for p in songplays)
level_users = collections.defaultdict(set)
for p in songplays:
    if p[1] is not None:
        level_users[p[2]].add(p[1])
total = sum(levels.values())
write("levels", "level,plays,users,percent_of_plays",
      [(lv, c, len(level_users[lv]),
        str((Decimal(100) * c / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)))
       for lv, c in sorted(levels.items())])
