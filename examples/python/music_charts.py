#!/usr/bin/env python3
"""The music workload's four analyses (examples/music) drawn as charts, as the original project
showed them: plays by hour of day, the most played artists, user agents, free vs paid plays.

Loads the bundled JSON logs and song files, builds the star schema (examples/music/star.sql),
runs each analysis into a DataFrame and draws it with matplotlib into OUT_DIR/<analysis>.png.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/music_charts.py OUT_DIR [WAREHOUSE_DIR]
"""
import pathlib
import sys
import warnings

import matplotlib

matplotlib.use("Agg")  # files, no display
# The logs spell a few names with bytes the default font has no glyph for; the chart is drawn all
# the same.
warnings.filterwarnings("ignore", message="Glyph .* missing from current font")
import matplotlib.pyplot as plt  # noqa: E402

import wh  # noqa: E402

MUSIC = pathlib.Path(__file__).resolve().parent.parent / "music"


def build(path):
    """A warehouse at `path` with the music star schema (made if it has no tables yet)."""
    db = wh.connect(path)
    if not db.tables():
        db.sql((MUSIC / "schema.sql").read_text())
        db.ingest("staging_events", MUSIC / "data" / "log_data", time_format={"ts": "epoch_ms"})
        db.ingest("staging_songs", MUSIC / "data" / "song_data")
        db.sql((MUSIC / "star.sql").read_text())
    return db


def analyses(db):
    """{name: DataFrame} of the four analyses, each from its SQL file."""
    return {name: db.sql((MUSIC / f"{name}.sql").read_text()).df()
            for name in ["plays_by_hour", "top_artists", "user_agents", "levels"]}


def short_agent(agent):
    """A browser user agent shortened to what a chart's label can hold."""
    for key in ["Edge", "Chrome", "Firefox", "Safari", "MSIE", "Trident"]:
        if key in agent:
            os = ("Windows" if "Windows" in agent else "Mac" if "Mac OS" in agent
                  else "Linux" if "Linux" in agent else "other")
            return f"{key} ({os})"
    return agent[:30]


def charts(data):
    """{name: matplotlib Figure} drawn from the analyses' rows."""
    figs = {}
    hour = data["plays_by_hour"]
    fig, ax = plt.subplots(figsize=(9, 4))
    ax.bar(hour["hour"], hour["plays"], color="#4c72b0")
    ax.set(title="Song plays by hour of day", xlabel="hour (UTC)", ylabel="plays", xticks=range(0, 24))
    figs["plays_by_hour"] = fig

    artists = data["top_artists"].iloc[::-1]  # the most played on top
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.barh(artists["artist_name"], artists["plays"], color="#dd8452")
    ax.set(title="Most played artists", xlabel="plays")
    figs["top_artists"] = fig

    agents = data["user_agents"].iloc[::-1]
    fig, ax = plt.subplots(figsize=(9, 4.5))
    labels = [short_agent(a) for a in agents["user_agent"]]
    # Agents that shorten alike (two Chrome versions on Windows) keep a bar each.
    labels = [f"{lb} #{labels[:i].count(lb) + 1}" if labels.count(lb) > 1 else lb for i, lb in enumerate(labels)]
    ax.barh(labels, agents["plays"], color="#55a868")
    ax.set(title="Plays by user agent", xlabel="plays")
    figs["user_agents"] = fig

    levels = data["levels"]
    fig, ax = plt.subplots(figsize=(5, 5))
    ax.pie(levels["plays"], labels=[f"{lv} ({p:.1f}%)" for lv, p in zip(levels["level"], levels["percent_of_plays"])],
           colors=["#8172b3", "#c44e52"])
    ax.set(title="Plays by free and paid users")
    figs["levels"] = fig
    for f in figs.values():
        f.tight_layout()
    return figs


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    db = build(sys.argv[2] if len(sys.argv) > 2 else out / "warehouse")
    for name, fig in charts(analyses(db)).items():
        fig.savefig(out / f"{name}.png", dpi=100)
        print(out / f"{name}.png")


if __name__ == "__main__":
    main()
