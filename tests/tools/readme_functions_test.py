#!/usr/bin/env python3
"""The README's SQL section and the function catalogs agree: every function SHOW FUNCTIONS
lists is named in the README's SQL section, and every function name the README's function rows
show (an upper-case word in backticks, alone or before '(') is one SHOW FUNCTIONS knows.

    readme_functions_test.py WH README.md
"""
import csv
import io
import re
import subprocess
import sys
import tempfile

wh, readme = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as d:
    out = subprocess.run([wh, "-w", d + "/w", "query", "SHOW FUNCTIONS", "--format", "csv"],
                         check=True, capture_output=True, text=True).stdout
rows = list(csv.DictReader(io.StringIO(out)))
names = {r["function_name"] for r in rows}
known = set(names)
for r in rows:
    known.update(a.strip() for a in r["aliases"].split(",") if a.strip())

text = open(readme, encoding="utf-8").read()
sql = text[text.index("### SQL"):text.index("### Reliability")]
words = set(re.findall(r"[A-Z][A-Z0-9_]+", sql))
bad = [f"{n} is in SHOW FUNCTIONS but not in the README's SQL section" for n in sorted(names - words)]

# The function rows of the table: names in backticks, alone or before '(' or '/'.
function_rows = [l for l in sql.splitlines()
                 if re.match(r"\| (conditional|math|strings|regular|dates|JSON|aggregates) ", l)]
keywords = {"IN", "WITHIN", "GROUP", "ORDER", "BY", "FILTER", "WHERE", "AS", "DISTINCT", "NULL", "TRUE",
            "FALSE", "EXTRACT", "FROM", "POSITION", "OVER", "DATE", "INTERVAL", "TIMESTAMP", "DESC", "ASC"}
for line in function_rows:
    for code in re.findall(r"`([^`]*)`", line):
        code = re.sub(r"'[^']*'", "''", code)  # string literals (patterns, paths) are not names
        for name in re.findall(r"(?<![A-Za-z_'%$.])([A-Z][A-Z0-9_]+)(?=\(|/|$|\s|\[)", code):
            if name not in known and name not in keywords:
                bad.append(f"the README names {name} ({code}), which SHOW FUNCTIONS does not list")
if bad:
    print("\n".join(bad), file=sys.stderr)
    sys.exit(1)
print(f"{len(names)} functions, all in the README; its function rows name only those")
