#!/usr/bin/env python3
"""Helpers of bench/drops/run.sh (standard library only).

  measure.py files WAREHOUSE WH     segment files: "files partitions max_per_partition mean"
  measure.py wa LOG                 bytes ingested and compacted, from `wh ingest` stderr
  measure.py summary WORK N SHAPE SCALE ROUNDS
                                    the markdown table, from WORK/times.tsv, the warehouses
                                    WORK/wh_one and WORK/wh_drops, their ingest logs and the
                                    DuckDB files WORK/one.duckdb and WORK/drops.duckdb

times.tsv has one line per measured process: KEY SECONDS PEAK_KIB WALL_SECONDS (for wh the
seconds are the process's wall time; for DuckDB, the sum of its statements' times as measured
inside the process, as bench/compare does, without the SET statements).
"""
import datetime
import os
import re
import statistics
import subprocess
import sys

UNITS = {"B": 1, "KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40}
# tools/wh/main.cc CmdIngest and DescribeCompaction:
#   ingested R rows into T (commit C): P partitions, F files, X written (from Y of input), S s, ...
#   compacted (commit C): merged A files into B in P partitions (R rows; X read, Y written[, Zx ...])
INGESTED = re.compile(r"^ingested \d+ rows into \S+ \(commit \d+\): \d+ partitions?, \d+ files?, "
                      r"([\d.]+) (B|KiB|MiB|GiB|TiB) written")
COMPACTED = re.compile(r"^compacted \(commit \d+\): merged (\d+) files into (\d+) in \d+ partitions? "
                       r"\(\d+ rows; [\d.]+ \w+ read, ([\d.]+) (B|KiB|MiB|GiB|TiB) written")
WARNING = re.compile(r"^wh: warning: .*compact")


def inspect_sections(wh, warehouse, *args):
    """`wh inspect ... --format csv` as {section title: [rows as lists]}."""
    out = subprocess.run([wh, "-w", warehouse, "inspect", *args, "--format", "csv"], check=True,
                         capture_output=True, text=True).stdout
    sections, title = {}, None
    for line in out.splitlines():
        if line.startswith("# "):
            title = line[2:]
            sections[title] = []
        elif line and title is not None:
            sections[title].append(line.split(","))
    return sections


def files(warehouse, wh):
    """(files, partitions, max files holding a partition, mean) over every table, from `wh
    inspect` (a file holds rows of many partitions: each counts it)."""
    counts = []
    total = 0
    for row in inspect_sections(wh, warehouse)["tables"][1:]:
        table = row[0]
        total += int(row[3])
        for prow in inspect_sections(wh, warehouse, table)[f"partitions of {table}"][1:]:
            counts.append(int(prow[1]))
    if not counts:
        return total, 0, 0, 0.0
    return total, len(counts), max(counts), sum(counts) / len(counts)


def wa(log):
    """(bytes ingested, bytes written by compactions, files merged away, compaction warnings)."""
    ingested = compacted = merged = warnings = 0
    with open(log) as f:
        for line in f:
            line = line.rstrip("\n").split("\r")[-1]
            m = INGESTED.match(line)
            if m:
                ingested += float(m.group(1)) * UNITS[m.group(2)]
                continue
            m = COMPACTED.match(line)
            if m:
                compacted += float(m.group(3)) * UNITS[m.group(4)]
                merged += int(m.group(1)) - int(m.group(2))
                continue
            if WARNING.match(line):
                warnings += 1
    return ingested, compacted, merged, warnings


def times(path):
    t = {}
    with open(path) as f:
        for line in f:
            key, secs, kib, wall = line.split()
            t.setdefault(key, []).append((float(secs), int(kib), float(wall)))
    return t


def size(path):
    return sum(os.path.getsize(p) for p in (path, path + ".wal") if os.path.exists(p))


def du(path):
    return int(subprocess.run(["du", "-sb", path], check=True, capture_output=True,
                              text=True).stdout.split()[0])


def summary(work, drops, shape, scale, rounds):
    t = times(os.path.join(work, "times.tsv"))
    tot = lambda k: sum(x[0] for x in t[k])
    wall = lambda k: sum(x[2] for x in t[k])
    peak = lambda k: max(x[1] for x in t[k]) / 1024
    med = lambda k: statistics.median(x[0] for x in t[k])
    med_rss = lambda k: statistics.median(x[1] for x in t[k]) / 1024
    wh = os.path.join(work, "wh")
    f_one, f_drops = files(os.path.join(work, "wh_one"), wh), files(os.path.join(work, "wh_drops"), wh)
    w_one, w_drops = wa(os.path.join(work, "wh_one.log")), wa(os.path.join(work, "wh_drops.log"))
    amp = lambda w: (w[0] + w[1]) / w[0] if w[0] else float("nan")
    NA = None
    rows = [  # name, unit, wh one, wh drops, duck one, duck drops
        ("ingest total", "s", tot("wh_one_ingest"), tot("wh_drops_ingest"),
         tot("duck_one_ingest"), tot("duck_drops_ingest")),
        ("ingest peak RSS", "MiB", peak("wh_one_ingest"), peak("wh_drops_ingest"),
         peak("duck_one_ingest"), peak("duck_drops_ingest")),
        (f"user report -> CSV (median of {rounds})", "s", med("wh_one_report"), med("wh_drops_report"),
         med("duck_one_report"), med("duck_drops_report")),
        ("report peak RSS", "MiB", med_rss("wh_one_report"), med_rss("wh_drops_report"),
         med_rss("duck_one_report"), med_rss("duck_drops_report")),
        ("bytes on disk", "MiB", du(os.path.join(work, "wh_one")) / 2**20,
         du(os.path.join(work, "wh_drops")) / 2**20,
         size(os.path.join(work, "one.duckdb")) / 2**20, size(os.path.join(work, "drops.duckdb")) / 2**20),
        ("files", "", f_one[0], f_drops[0], 1, 1),
        ("partitions", "", f_one[1], f_drops[1], NA, NA),
        ("files per partition, max", "", f_one[2], f_drops[2], NA, NA),
        ("files per partition, mean", "", f_one[3], f_drops[3], NA, NA),
        ("write amplification (compaction)", "x", amp(w_one), amp(w_drops), NA, NA),
    ]

    def fmt(v, unit):
        if v is None:
            return "-"
        if unit == "s":
            return f"{v:.3f} s"
        if unit == "MiB":
            return f"{v:.1f} MiB"
        if unit == "x":
            return f"{v:.2f}x"
        return f"{v:,}" if isinstance(v, int) else f"{v:.2f}"

    def ratio(a, b):
        return "-" if a is None or b is None or b == 0 else f"{a / b:.2f}"

    day = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")
    out = [f"wh and DuckDB after {drops} drops ({shape}) vs one load, seed-000 scale {scale}, "
           f"{os.cpu_count()} cores ({day})", "",
           f"| | wh one load | wh {drops} drops | DuckDB one load | DuckDB {drops} drops "
           f"| wh drops / one load | DuckDB drops / one load | wh / DuckDB, {drops} drops |",
           "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for name, unit, a, b, c, d in rows:
        out.append(f"| {name} | {fmt(a, unit)} | {fmt(b, unit)} | {fmt(c, unit)} | {fmt(d, unit)} "
                   f"| {ratio(b, a)} | {ratio(d, c)} | {ratio(b, d)} |")
    out += ["",
            f"wh: {len(t['wh_drops_ingest'])} ingest processes for the drops, "
            f"{w_drops[0] / 2**20:.1f} MiB ingested, {w_drops[1] / 2**20:.1f} MiB rewritten by compaction "
            f"({w_drops[2]:,} files merged away); times are whole `wh` processes.",
            f"DuckDB: times are its statements inside the process, as in bench/compare (whole "
            f"processes: one load {wall('duck_one_ingest'):.3f} s, {drops} drops "
            f"{wall('duck_drops_ingest'):.3f} s, report {statistics.median(x[2] for x in t['duck_drops_report']):.3f} s "
            f"after the drops)."]
    print("\n".join(out))
    return w_one[3] + w_drops[3]


def main():
    cmd = sys.argv[1]
    if cmd == "files":
        n, p, mx, mean = files(sys.argv[2], sys.argv[3])
        print(n, p, mx, f"{mean:.2f}")
    elif cmd == "wa":
        print(*(round(x) for x in wa(sys.argv[2])))
    elif cmd == "summary":
        warnings = summary(sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5], int(sys.argv[6]))
        if warnings:
            print(f"measure.py: {warnings} compaction warnings in the ingest logs", file=sys.stderr)
            sys.exit(1)
    else:
        sys.exit(f"measure.py: unknown command {cmd}")


if __name__ == "__main__":
    main()
