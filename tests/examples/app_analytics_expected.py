#!/usr/bin/env python3
"""The app-analytics example's results computed from its CSVs with Python alone (no wh):
sequences.csv, weekly.csv, daily.csv and funnels.csv as of AS_OF, as examples/app_analytics
defines them (README.md there).

    app_analytics_expected.py DATA_DIR AS_OF OUT_DIR
"""
import csv
import datetime as dt
import statistics
import sys

data, as_of, out = sys.argv[1], dt.date.fromisoformat(sys.argv[2]), sys.argv[3]
read = lambda name: list(csv.DictReader(open(f"{data}/{name}", newline="", encoding="utf-8")))
signup = {int(p["user_id"]): dt.date.fromisoformat(p["signup_date"]) for p in read("user_profiles.csv")}

# Both drops; exact duplicate rows once; strictly after the signup day; up to the as-of day.
rows = set()
for name in ("user_events.csv", "user_events_resent.csv"):
    for r in read(name):
        rows.add((int(r["event_id"]), int(r["user_id"]), r["event_type"], r["event_date"], r["page"]))
events = {}
for eid, uid, etype, when, page in rows:
    day = dt.date.fromisoformat(when[:10])
    if uid in signup and signup[uid] < day <= as_of:
        events.setdefault(uid, []).append((when, eid, etype, day))
for evs in events.values():
    evs.sort()


def num(x):
    """A DOUBLE as wh prints it (shortest round trip; integral values without a fraction)."""
    if x is None:
        return ""
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(x)


with open(f"{out}/sequences.csv", "w", newline="") as f:
    f.write("user_id,event_id,event_date,event_type,previous_event_type,next_event_type\n")
    for uid in sorted(events):
        evs = events[uid]
        for i, (when, eid, etype, _) in enumerate(evs):
            prev = evs[i - 1][2] if i > 0 else ""
            nxt = evs[i + 1][2] if i + 1 < len(evs) else ""
            f.write(f"{uid},{eid},{when},{etype},{prev},{nxt}\n")

with open(f"{out}/weekly.csv", "w", newline="") as f:
    f.write("user_id,week_since_signup,events\n")
    for uid in sorted(events):
        weeks = {}
        for _, _, _, day in events[uid]:
            w = (day - signup[uid]).days // 7
            weeks[w] = weeks.get(w, 0) + 1
        for w in sorted(weeks):
            f.write(f"{uid},{w},{weeks[w]}\n")

with open(f"{out}/daily.csv", "w", newline="") as f:
    f.write("user_id,day,events,moving_avg,moving_stddev,flag\n")
    for uid in sorted(events):
        per_day = {}
        for _, _, _, day in events[uid]:
            per_day[day] = per_day.get(day, 0) + 1
        days = sorted(per_day)
        for i, day in enumerate(days):
            window = [per_day[d] for d in days[max(0, i - 7): i + 1]]
            avg = sum(window) / len(window)
            sd = statistics.stdev(window) if len(window) > 1 else None
            n = per_day[day]
            flag = "normal"
            if sd is not None and n > avg + 3 * sd:
                flag = "spike"
            elif sd is not None and n < avg - 3 * sd:
                flag = "drop-off"
            f.write(f"{uid},{day},{n},{num(avg)},{num(sd)},{flag}\n")

with open(f"{out}/funnels.csv", "w", newline="") as f:
    f.write("user_id,views,view_to_click,view_to_purchase\n")
    for uid in sorted(events):
        types = [e[2] for e in events[uid]]
        pairs = list(zip(types, types[1:]))
        f.write(f"{uid},{types.count('view')},{pairs.count(('view', 'click'))},"
                f"{pairs.count(('view', 'purchase'))}\n")
