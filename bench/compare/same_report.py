#!/usr/bin/env python3
"""Compares two CSV reports cell by cell: numbers by value (so 1830 equals 1830.0), everything
else as text. Exit 0 when identical, 1 (with the first differences) otherwise."""
import csv
import sys


def norm(cell):
    try:
        return ("n", float(cell))
    except ValueError:
        return ("s", cell)


a = list(csv.reader(open(sys.argv[1], newline="")))
b = list(csv.reader(open(sys.argv[2], newline="")))
bad = 0
if len(a) != len(b):
    print(f"row counts differ: {len(a)} vs {len(b)}")
    bad += 1
for i, (ra, rb) in enumerate(zip(a, b)):
    if [norm(x) for x in ra] != [norm(x) for x in rb]:
        if bad < 5:
            print(f"line {i + 1}:\n  {ra}\n  {rb}")
        bad += 1
print(f"{len(a) - 1} rows, {bad} differences")
sys.exit(1 if bad else 0)
