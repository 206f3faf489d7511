#!/usr/bin/env python3
"""Compares two CSV files field by field: equal text, or - where both fields are numbers - equal
to 12 significant digits (DOUBLE results such as averages and standard deviations, whose last
bits depend on the order of floating-point operations, and 7 written as 7.0 by other engines).

    compare_csv.py GOT WANT     exit 1 and the first differences when they differ
"""
import csv
import math
import sys


def number(s):
    if s.lower() in ("nan", "inf", "-inf", "infinity", "-infinity"):
        return None
    try:
        return float(s)
    except ValueError:
        return None


got = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8")))
want = list(csv.reader(open(sys.argv[2], newline="", encoding="utf-8")))
bad = []
if len(got) != len(want):
    bad.append(f"{len(got)} lines, expected {len(want)}")
for n, (g, w) in enumerate(zip(got, want), 1):
    if len(g) != len(w):
        bad.append(f"line {n}: {len(g)} fields, expected {len(w)}: {g} vs {w}")
        continue
    for a, b in zip(g, w):
        if a == b:
            continue
        x, y = number(a), number(b)
        if x is None or y is None or not math.isclose(x, y, rel_tol=1e-12, abs_tol=1e-12):
            bad.append(f"line {n}: got {g}, expected {w}")
            break
if bad:
    print(f"{sys.argv[1]} differs from {sys.argv[2]}:", *bad[:10], sep="\n  ", file=sys.stderr)
    sys.exit(1)
