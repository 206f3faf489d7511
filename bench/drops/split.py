#!/usr/bin/env python3
"""Splits the CSVs of `wh gen` (social workload) into N drops, for bench/drops/run.sh.

    split.py --drops N --shape random|daily [--seed S] SRC_DIR OUT_DIR

writes OUT_DIR/K/{events,payments_data,posts}.csv for K = 1..N (1 is the oldest drop), each
with the source's header. Every source row lands in exactly one drop.

  random  each row goes to a uniformly random drop (seeded): every partition is touched by every
          drop.
  daily   the day range of the event days (events: timestamp, payments_data: date, posts:
          posted_at; one range over the three files) is cut into N consecutive slices of whole
          days, drop K holding slice K; then about 3% of the rows of each drop (a late tail) move
          on to drop K+1, K+2 or K+3 (equally likely; rows of the last drops stay within the
          last drop).

Rows keep their order within a drop. Lines are split as text: the generated CSVs have no
quoted fields (a quote in an input is refused rather than mis-split).
"""
import argparse
import datetime
import os
import random
import sys

TABLES = {"events.csv": "timestamp", "payments_data.csv": "date", "posts.csv": "posted_at"}
CHUNK = 32 << 20  # bytes of lines read at a time
LATE = 0.03


def chunks(path):
    with open(path, "r", newline="") as f:
        header = f.readline()
        while True:
            lines = f.readlines(CHUNK)
            if not lines:
                return
            yield header, lines


def header_of(path):
    with open(path, "r", newline="") as f:
        return f.readline()


def no_quotes(path, lines):
    for line in lines:
        if '"' in line:
            sys.exit(f"split.py: {path} has quoted fields; only unquoted CSV is supported")


def day_column(path, name):
    cols = header_of(path).rstrip("\r\n").split(",")
    if name not in cols:
        sys.exit(f"split.py: {path} has no column {name} (header: {cols})")
    return cols.index(name)


def days_of(lines, col):
    """The 'YYYY-MM-DD' of each line's day column."""
    n = col + 1
    return [line.split(",", n)[col][:10] for line in lines]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--drops", type=int, required=True)
    ap.add_argument("--shape", choices=["random", "daily"], required=True)
    ap.add_argument("--seed", type=int, default=20220301)
    ap.add_argument("src")
    ap.add_argument("out")
    a = ap.parse_args()
    n = a.drops
    if n < 1:
        sys.exit("split.py: --drops must be >= 1")

    slice_of = None
    if a.shape == "daily":
        # First pass: the day range over the three files.
        seen = set()
        for name, colname in TABLES.items():
            path = os.path.join(a.src, name)
            col = day_column(path, colname)
            for _, lines in chunks(path):
                no_quotes(path, lines)
                seen.update(days_of(lines, col))
        first = datetime.date.fromisoformat(min(seen))
        last = datetime.date.fromisoformat(max(seen))
        span = (last - first).days + 1
        if n > span:
            sys.exit(f"split.py: --drops {n} is more than the {span} days of the data")
        # Slice k (0-based) holds days [first + k*span//n, first + (k+1)*span//n).
        slice_of = {}
        for k in range(n):
            for d in range(k * span // n, (k + 1) * span // n):
                slice_of[(first + datetime.timedelta(days=d)).isoformat()] = k
        print(f"daily: {first} .. {last} ({span} days), {span / n:.1f} days per drop", file=sys.stderr)

    for k in range(1, n + 1):
        os.makedirs(os.path.join(a.out, str(k)), exist_ok=True)
    drops = range(n)
    for ti, (name, colname) in enumerate(TABLES.items()):
        path = os.path.join(a.src, name)
        rng = random.Random(a.seed * 31 + ti)
        outs = [open(os.path.join(a.out, str(k + 1), name), "w", newline="") for k in drops]
        for f in outs:
            f.write(header_of(path))
        col = day_column(path, colname)
        counts = [0] * n
        for _, lines in chunks(path):
            no_quotes(path, lines)
            if a.shape == "random":
                picks = rng.choices(drops, k=len(lines))
            else:
                picks = [slice_of[d] for d in days_of(lines, col)]
                rnd = rng.random
                for i, rv in enumerate([rnd() for _ in lines]):
                    if rv < LATE:
                        picks[i] = min(n - 1, picks[i] + 1 + int(rv / LATE * 3))
            per = [[] for _ in drops]
            for k, line in zip(picks, lines):
                per[k].append(line)
            for k in drops:
                outs[k].writelines(per[k])
                counts[k] += len(per[k])
        for f in outs:
            f.close()
        print(f"{name}: {sum(counts)} rows into {n} drops "
              f"(smallest {min(counts)}, largest {max(counts)})", file=sys.stderr)


if __name__ == "__main__":
    main()
