#!/usr/bin/env python3
"""Computes the seed-000 user report from the sample CSVs with Python's csv and decimal modules,
independently of wh: the expected output of `wh query -f examples/social/report.sql --format csv`
after the sample is ingested with --etl-date 2022-03-01.

Semantics (BRIEF.md workload 1): rows with event_date > etl_date - 90 days, i.e. event_date >=
2021-12-02; payments: event_date = date of `date`, total_revenue = SUM(total) rounded half away
from zero to 2 places, currency; posts: event_date = date of LEAST(posted_at, scheduled_at)
(NULLs ignored), total_posts = COUNT(id), average_schedule_seconds = mean of posted_at -
scheduled_at in whole seconds over posts with a scheduled_at (NULL if none), one count per post
type; events: event_date = date of timestamp, suggested_hashtags_count = the original notebook's
SUM(if(event = 'suggested_hashtags_inserted', hashtag_count, 0)): 0, not NULL, for a user with
events but none of that kind (NULL only when every one of the user's events is of that kind
without a hashtag_count), suggested_time_count = number of scheduled_at_best_time events.
FULL OUTER JOIN on user_id, ordered by user_id.

Usage: expected_report.py DATA_DIR > expected_report.csv
"""
import csv
import datetime as dt
import decimal
import sys
from collections import defaultdict

data = sys.argv[1]
cutoff = dt.date(2022, 3, 1) - dt.timedelta(days=90)  # event_date > cutoff


def ts(s):
    return dt.datetime.fromisoformat(s) if s else None


def epoch(t):
    return int((t - dt.datetime(1970, 1, 1)).total_seconds() // 1)


revenue = {}
for r in csv.DictReader(open(f"{data}/payments_data.csv", newline="")):
    if ts(r["date"]).date() <= cutoff:
        continue
    key = (int(r["user_id"]), r["currency"] or None)
    revenue[key] = revenue.get(key, decimal.Decimal(0)) + decimal.Decimal(r["total"])

TYPES = ["TwitterPost", "FacebookPost", "PinterestPost", "InstagramPost", "InstagramStory",
         "LinkedinPost", "TikTokPost"]
posts = defaultdict(lambda: {"n": 0, "sched": [], "types": defaultdict(int)})
for r in csv.DictReader(open(f"{data}/posts.csv", newline="")):
    posted, sched = ts(r["posted_at"]), ts(r["scheduled_at"])
    first = min(t for t in (posted, sched) if t is not None)
    if first.date() <= cutoff:
        continue
    p = posts[int(r["user_id"])]
    p["n"] += 1
    if sched is not None:
        p["sched"].append(epoch(posted) - epoch(sched))
    p["types"][r["type"]] += 1

events = defaultdict(lambda: {"tags": None, "time": 0})
for r in csv.DictReader(open(f"{data}/events.csv", newline="")):
    if ts(r["timestamp"]).date() <= cutoff:
        continue
    e = events[int(r["user_id"])]
    # if(event = ..., hashtag_count, 0): a term per event, NULL (skipped by SUM) for an event
    # of the kind without a count.
    if r["event"] != "suggested_hashtags_inserted":
        term = decimal.Decimal(0)
    else:
        term = decimal.Decimal(r["hashtag_count"]) if r["hashtag_count"] else None
    if term is not None:
        e["tags"] = (e["tags"] or 0) + term
    if r["event"] == "scheduled_at_best_time":
        e["time"] += 1


def fmt_double(x):
    return repr(x)  # DuckDB's text of a DOUBLE, which wh follows


out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["user_id", "total_revenue", "currency", "total_posts", "average_schedule_seconds",
              "total_twitter_post", "total_facebook_post", "total_pinterest_post",
              "total_instagram_post", "total_instagram_story", "total_linkedin_post",
              "total_tiktok_post", "suggested_hashtags_count", "suggested_time_count"])
users = sorted({u for u, _ in revenue} | set(posts) | set(events))
rev_by_user = defaultdict(list)
for (u, cur), v in revenue.items():
    rev_by_user[u].append((cur, v))
for u in users:
    revs = rev_by_user.get(u) or [(None, None)]
    for cur, v in revs:
        row = [u]
        if v is None:
            row += ["", ""]
        else:
            row += [str(v.quantize(decimal.Decimal("0.01"), rounding=decimal.ROUND_HALF_UP)), cur or ""]
        if u in posts:
            p = posts[u]
            avg = fmt_double(sum(p["sched"]) / len(p["sched"])) if p["sched"] else ""
            row += [p["n"], avg] + [p["types"].get(t, 0) for t in TYPES]
        else:
            row += [""] * 9
        if u in events:
            e = events[u]
            row += ["" if e["tags"] is None else str(int(e["tags"])), e["time"]]
        else:
            row += ["", ""]
        out.writerow(row)
