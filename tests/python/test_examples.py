"""examples/python: the seed-000 report into a DataFrame, and the music charts drawn from the
query results (their bars are the rows a plain-Python computation from the JSON files gives,
and a new drop of plays redraws them)."""
import csv
import os
import pathlib
import subprocess
import sys

import pandas as pd
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "python"))

import music_charts  # noqa: E402
import report  # noqa: E402

import wh  # noqa: E402


def expected(tmp_path):
    """The music reports computed from the JSON files without wh (tests/examples/)."""
    out = tmp_path / "expected"
    out.mkdir()
    subprocess.run([sys.executable, str(ROOT / "tests" / "examples" / "music_expected.py"),
                    str(ROOT / "examples" / "music" / "data"), str(out)], check=True)
    return {name: list(csv.DictReader(open(out / f"{name}.csv", encoding="utf-8")))
            for name in ["plays_by_hour", "top_artists", "user_agents", "levels"]}


def test_report_example(tmp_path):
    db = report.build(tmp_path / "wh")
    df = report.report(db)
    assert len(df) == 6458 and df["user_id"].is_unique
    cli = subprocess.run([os.environ.get("WH_BIN", str(ROOT / "build" / "wh")), "-w", str(tmp_path / "wh"), "query",
                          "-f", str(ROOT / "examples" / "social" / "report.sql"), "--format", "csv"],
                         capture_output=True, text=True, check=True).stdout
    assert df["user_id"].tolist() == [int(r["user_id"]) for r in csv.DictReader(cli.splitlines())]
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "report.py"), str(tmp_path / "wh")],
                         capture_output=True, text=True, check=True, env=dict(os.environ)).stdout
    assert out.startswith("6458 users; columns: user_id, total_revenue")


def bars(fig):
    """(label, length) of each bar of a bar chart, or (label, wedge share) of a pie."""
    ax = fig.axes[0]
    if ax.patches and hasattr(ax.patches[0], "theta1"):  # a pie
        return [(t.get_text(), round((w.theta2 - w.theta1) / 360, 4)) for w, t in zip(ax.patches, ax.texts)]
    horizontal = ax.patches[0].get_height() < 1 and ax.patches[0].get_width() > 1
    labels = [t.get_text() for t in (ax.get_yticklabels() if horizontal else [])]
    sizes = [p.get_width() if horizontal else p.get_height() for p in ax.patches]
    xs = [round(p.get_x() + p.get_width() / 2) for p in ax.patches]
    return list(zip(labels, sizes)) if horizontal else list(zip(xs, sizes))


def test_music_charts_are_drawn_from_the_query_results(tmp_path):
    want = expected(tmp_path)
    db = music_charts.build(tmp_path / "wh")
    figs = music_charts.charts(music_charts.analyses(db))
    assert bars(figs["plays_by_hour"]) == [(int(r["hour"]), int(r["plays"])) for r in want["plays_by_hour"]]
    # Horizontal bars run from the bottom: the most played is the last one drawn.
    assert [size for _, size in bars(figs["top_artists"])][::-1] == [int(r["plays"]) for r in want["top_artists"]]
    assert [label for label, _ in bars(figs["top_artists"])][::-1] == [r["artist_name"] for r in want["top_artists"]]
    assert [size for _, size in bars(figs["user_agents"])][::-1] == [int(r["plays"]) for r in want["user_agents"]]
    total = sum(int(r["plays"]) for r in want["levels"])
    assert [share for _, share in bars(figs["levels"])] == [round(int(r["plays"]) / total, 4) for r in want["levels"]]

    # A new drop: 40 more plays at 03:xx. The chart of plays by hour changes with the data.
    plays = db.sql("SELECT * FROM songplays LIMIT 40").df()
    plays["start_time"] = pd.Timestamp("2018-11-30 03:15:00") + pd.to_timedelta(range(40), unit="s")
    times = db.sql("SELECT * FROM time LIMIT 1").df()
    new_times = pd.DataFrame({c: [times[c][0]] * 40 for c in times.columns})
    new_times["start_time"] = plays["start_time"]
    new_times["hour"] = 3
    db.ingest_df("songplays", plays)
    db.ingest_df("time", new_times)
    figs2 = music_charts.charts(music_charts.analyses(db))
    before = dict(bars(figs["plays_by_hour"]))
    after = dict(bars(figs2["plays_by_hour"]))
    assert after[3] == before[3] + 40 and all(after[h] == before[h] for h in before if h != 3)


def test_music_charts_script_writes_pngs(tmp_path):
    subprocess.run([sys.executable, str(ROOT / "examples" / "python" / "music_charts.py"), str(tmp_path)], check=True,
                   capture_output=True)
    for name in ["plays_by_hour", "top_artists", "user_agents", "levels"]:
        png = (tmp_path / f"{name}.png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10000, name
