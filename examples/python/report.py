#!/usr/bin/env python3
"""The seed-000 user report (examples/social) into a pandas DataFrame, with wh's Python module.

Builds a warehouse from the bundled sample the first time (the same tables, views and loads as
scripts/demo.sh), then runs examples/social/report.sql and works with the rows in pandas.

    PYTHONPATH=build/python /usr/bin/python3 examples/python/report.py [WAREHOUSE_DIR]
"""
import pathlib
import sys

import wh

SOCIAL = pathlib.Path(__file__).resolve().parent.parent / "social"


def build(path):
    """A warehouse at `path` with the social sample loaded (made if it has no tables yet)."""
    db = wh.connect(path)
    if not db.tables():
        db.sql((SOCIAL / "schema.sql").read_text())
        for table, name in [("events", "events.csv"), ("payments", "payments_data.csv"), ("posts", "posts.csv")]:
            db.ingest(table, SOCIAL / "data" / name, etl_date="2022-03-01")
    return db


def report(db):
    """The user report as a DataFrame: one row per user of the last 90 days."""
    return db.sql((SOCIAL / "report.sql").read_text()).df()


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "build/python-report/warehouse"
    df = report(build(path))
    print(f"{len(df)} users; columns: {', '.join(df.columns)}")
    print(df.head(10).to_string(index=False))
    paying = df[df["total_revenue"].fillna(0) > 0]
    print(f"\n{len(paying)} paying users, revenue {paying['total_revenue'].sum():.2f}; "
          f"top 5 by revenue:")
    print(paying.nlargest(5, "total_revenue")[["user_id", "total_revenue"]].to_string(index=False))


if __name__ == "__main__":
    main()
