#!/usr/bin/env python3
"""The engagement example's results computed from the generated CSVs with Python alone (no wh):
dau.csv, mau.csv, sessions.csv and sessions_by_day.csv, as examples/engagement/README.md
defines them.

    engagement_expected.py DATA_DIR OUT_DIR
"""
import csv
import datetime as dt
import sys

data, out = sys.argv[1], sys.argv[2]
per_user = {}
with open(f"{data}/interactions.csv", newline="") as f:
    for r in csv.DictReader(f):
        d = int(r["duration_ms"])
        t = dt.datetime.fromisoformat(r["timestamp"])
        if 0 <= d <= 7_200_000 and t.year == 2023:
            per_user.setdefault(r["user_id"], []).append((t, d))

num = lambda x: str(int(x)) if x == int(x) else repr(x)

dau, mau = {}, {}
for user, acts in per_user.items():
    for t, _ in acts:
        dau.setdefault(t.date(), set()).add(user)
        mau.setdefault(t.date().replace(day=1), set()).add(user)
with open(f"{out}/dau.csv", "w") as f:
    f.write("day,dau\n" + "".join(f"{d},{len(u)}\n" for d, u in sorted(dau.items())))
with open(f"{out}/mau.csv", "w") as f:
    f.write("month,mau\n" + "".join(f"{m},{len(u)}\n" for m, u in sorted(mau.items())))

sessions = []  # (start, actions, duration)
for acts in per_user.values():
    acts.sort()
    start, n, total, prev = None, 0, 0, None
    for t, d in acts:
        if prev is None or (t - prev).total_seconds() >= 1800:
            if prev is not None:
                sessions.append((start, n, total))
            start, n, total = t, 0, 0
        n, total, prev = n + 1, total + d, t
    if prev is not None:
        sessions.append((start, n, total))
with open(f"{out}/sessions.csv", "w") as f:
    f.write("sessions,avg_session_duration_ms,avg_actions_per_session\n")
    f.write(f"{len(sessions)},{num(sum(s[2] for s in sessions) / len(sessions))},"
            f"{num(sum(s[1] for s in sessions) / len(sessions))}\n")
by_day = {}
for start, n, total in sessions:
    by_day.setdefault(start.date(), []).append((n, total))
with open(f"{out}/sessions_by_day.csv", "w") as f:
    f.write("day,sessions,avg_session_duration_ms,avg_actions_per_session\n")
    for day, ss in sorted(by_day.items()):
        f.write(f"{day},{len(ss)},{num(sum(s[1] for s in ss) / len(ss))},{num(sum(s[0] for s in ss) / len(ss))}\n")
