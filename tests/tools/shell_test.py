#!/usr/bin/env python3
"""The SQL shell (`wh` with no command), as a person uses it: typed at a pseudo-terminal (prompt,
lines that continue a statement, line editing, history, completion, Ctrl-C, Ctrl-D), and fed a
script on standard input (statements in order, the first error stops it with its exit code).

usage: shell_test.py WH_BINARY
"""
import os
import pty
import re
import select
import signal
import subprocess
import sys
import tempfile
import time

WH = os.path.abspath(sys.argv[1])
TMP = tempfile.mkdtemp(prefix="wh_shell_test_")
WAREHOUSE = os.path.join(TMP, "wh")
HISTORY = os.path.join(TMP, "history")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[=>]|\r|\x07")

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL {name}\n{detail}")


def script(text, *args):
    """Runs `wh -w WAREHOUSE ARGS` with `text` on standard input (not a terminal)."""
    p = subprocess.run([WH, "-w", WAREHOUSE, *args], input=text.encode(), capture_output=True, timeout=120)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


class Terminal:
    """`wh` on a pseudo-terminal: keys in, the screen's text out."""

    def __init__(self):
        env = dict(os.environ, WH_HISTORY=HISTORY, TERM="xterm", COLUMNS="200", LINES="50")
        self.pid, self.fd = pty.fork()
        if self.pid == 0:
            os.execve(WH, [WH, "-w", WAREHOUSE], env)
        self.text = ""

    def read(self, until, timeout=30):
        """Reads until `until` (a regex) appears in the output since the last read; returns it all."""
        start = len(self.text)
        deadline = time.time() + timeout
        while time.time() < deadline:
            got = self.screen(start)
            if re.search(until, got):
                return got
            r, _, _ = select.select([self.fd], [], [], 0.2)
            if r:
                try:
                    data = os.read(self.fd, 65536)
                except OSError:
                    break
                if not data:
                    break
                self.text += data.decode(errors="replace")
        return self.screen(start)

    def screen(self, start):
        """The output since `start` as text: escape sequences dropped, backspaces applied."""
        out = []
        for ch in ANSI.sub("", self.text[start:]):
            if ch == "\b":
                if out:
                    out.pop()
            else:
                out.append(ch)
        return "".join(out)

    def send(self, keys):
        os.write(self.fd, keys.encode())

    def wait(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                return os.waitstatus_to_exitcode(status)
            self.read(r"$^", timeout=0.2)
        os.kill(self.pid, signal.SIGKILL)
        return None


# --- scripts on standard input ---------------------------------------------------------------
code, out, err = script("""-- a comment before the first statement
CREATE TABLE t (a INT, s STRING);
INSERT INTO t VALUES (1, 'x;y'), (2, 'it''s');   SELECT
  count(*) AS n FROM t;
.mode json
SELECT * FROM t ORDER BY a;
.tables
.schema t
""")
check("script runs in order", code == 0 and '{"a":1,"s":"x;y"}' in out and "n\n2\n" in out, out + err)
check("script .tables", "\nt\n" in out, out)
check("script .schema", "CREATE TABLE t (\n  a INT,\n  s STRING\n);" in out, out)

code, out, err = script("SELECT 1 AS one;\nSELECT a,\n   nope FROM t;\nSELECT 'not reached' AS x;\n")
check("the first error stops a script, exit 1", code == 1 and "not reached" not in out, out + err)
check("the error's line is the script's", "line 3, column 4: no column 'nope'" in err and "\n     ^" in err, err)

code, out, err = script("SELECT 1 AS a; SELECT nope FROM t;\n")
check("an error after another statement on the line: its column", "line 1, column 23" in err, err)

code, out, err = script("SELECT 41 + 1 AS x")
check("a last statement without ';' runs", code == 0 and out == "x\n42\n", out + err)

code, out, err = script(".mode tsv\n.headers off\nSELECT 1, 'a';\n.bogus\nSELECT 2;\n")
check("headers off", out == "1\ta\n", out)
check("an unknown dot-command stops a script", code == 1 and "unknown command '.bogus'" in err, err)

sub = os.path.join(TMP, "sub.sql")
with open(sub, "w") as f:
    f.write("SELECT 7 AS seven;\nSELECT broken(;\nSELECT 8;\n")
code, out, err = script(f".read {sub}\nSELECT 9;\n")
check(".read runs a file; its error names it", code == 1 and "seven\n7\n" in out and sub + ": line 2" in err, out + err)

outfile = os.path.join(TMP, "out.csv")
code, out, err = script(f".output {outfile}\nSELECT a FROM t ORDER BY a;\n.output\nSELECT 'screen' AS w;\n")
check(".output", code == 0 and open(outfile).read() == "a\n1\n2\n" and out == "w\nscreen\n", out + err)

spaced = os.path.join(TMP, "a file.sql")
with open(spaced, "w") as f:
    f.write("SELECT 'spaces' AS w;\n")
code, out, err = script(f".read '{spaced}'\n")
check(".read of a quoted name with spaces", code == 0 and out == "w\nspaces\n", out + err)
code, out, err = script(f".read {TMP}\n")
check(".read of a directory says so", code == 1 and "a directory" in err, err)

code, out, err = script("SELECT 1;\n.quit 3\nSELECT 2;\n")
check(".quit CODE", code == 3, f"{code}")

code, out, err = script("CREATE TEMP VIEW v AS SELECT a * 10 AS b FROM t;\nSELECT sum(b) AS s FROM v;\n")
check("one session for the whole script (temp views last)", code == 0 and out.endswith("s\n30\n"), out + err)

code, out, err = script(".maxrows 1\n.mode table\nSELECT a FROM t ORDER BY a;\n")
check(".maxrows", out.rstrip().endswith("2 rows (1 shown)") and "| 2 |" not in out and "1 row\n" not in out, out)

code, out, err = script("CREATE TEMP VIEW tv AS SELECT 1 AS x;\n.tables\n.schema tv\nSELECT * FROM tv;\n")
check("temporary views in .tables and .schema", code == 0 and "\ntv\n" in out and "CREATE TEMP VIEW tv AS" in out, out + err)

code, out, err = script(".exit abc\nSELECT 42 AS x;\n")
check(".exit with a bad code is an error, not an exit", code == 1 and "x\n42" not in out and "CODE is 0 to 255" in err,
      out + err)

code, out, err = script('SELECT "a\n;\nSELECT 2 AS two;\n')
check("an unclosed quoted name ends at its line", code == 1 and "unterminated quoted identifier" in err, out + err)

many = "".join(f"SELECT {i} AS v;" for i in range(3000)) + "\n"
code, out, err = script(many)
check("many statements on one line", code == 0 and out.count("v\n") == 3000 and out.endswith("v\n2999\n"), err)

# --- at a terminal ---------------------------------------------------------------------------
term = Terminal()
banner = term.read(r"wh> ")
check("banner and prompt", "1 table" in banner and ".help" in banner, banner)

term.send("SELECT a, s\r")
got = term.read(r"  > ")
check("a statement goes on over lines", "  > " in got, got)
term.send("FROM t ORDER BY a;\r")
got = term.read(r"wh> ")
check("table output at a terminal", "| 1 | x;y  |" in got and "2 rows" in got, got)

term.send("SELECT nope;\r")
got = term.read(r"wh> ")
check("an error at the prompt: caret, the shell goes on",
      "Error: line 1, column 8: no column 'nope'" in got and "\n         ^" in got, got)

term.send("SELECT 1 AS unfinished")  # typed, then Ctrl-C: the line is dropped
time.sleep(0.3)
term.send("\x03")
got = term.read(r"wh> ")
term.send("SELECT 5 AS five;\r")
got = term.read(r"wh> ")
check("Ctrl-C at the prompt drops the line", "five" in got and "unfinished" not in got, got)

term.send(".timer on\r")
term.read(r"wh> ")
term.send("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000000) "
          "SELECT count(*) FROM r;\r")
time.sleep(1.0)
started = time.time()
term.send("\x03")
got = term.read(r"wh> ", timeout=60)
check("Ctrl-C stops a running statement and keeps the shell",
      "interrupted" in got and "Run Time:" in got and time.time() - started < 8, got)
slow = os.path.join(TMP, "slow.sql")
with open(slow, "w") as f:
    f.write("SELECT 1 AS first;\n" + "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 100000000) "
            "SELECT count(*) FROM r;\n" * 3 + "SELECT 'not reached' AS last;\n")
term.send(f".read {slow}\r")
time.sleep(1.0)
term.send("\x03")
got = term.read(r"wh> ", timeout=60)
check("Ctrl-C stops a .read", "interrupted" in got and "not reached" not in got and got.count("Run Time") == 2, got)
term.send("SELECT 6 AS six;\r")
got = term.read(r"wh> ")
check("the shell answers after an interrupt", "| six |" in got, got)

term.send("SEL\t")  # a word completed whole is followed by a space
time.sleep(0.3)
term.send("a FR\t")  # FROM and FROM_UNIXTIME: completed as far as they agree
time.sleep(0.3)
term.send(" t WHER\t")
time.sleep(0.3)
term.send("a = 2;\r")
got = term.read(r"wh> ")
check("tab completes keywords", "SELECT a FROM t WHERE a = 2;" in got and "| 2 |" in got, repr(got))

term.send("select coun\t(*) from t;\r")  # COUNT and COUNT_IF
got = term.read(r"rows?\s*\nwh> ")
check("tab completes functions in the case typed", "select count(*) from t;" in got and "|        2 |" in got, got)

term.send(".sch\t t\r")
got = term.read(r"wh> ")
check("tab completes dot-commands", "CREATE TABLE t (" in got, got)

term.send("\x1b[A")  # Up: the last entry again
time.sleep(0.3)
term.send("\r")
got = term.read(r"\);\s*\nwh> ")
check("history recalls the last entry", got.count("CREATE TABLE t (") == 1, got)

# Ctrl-D leaves. (Sent a moment after the prompt shows, as a person would: a Ctrl-D that reaches
# the terminal before the line editor has put it in raw mode is the terminal's own end-of-file,
# which the editor never sees - so it is with every shell on a terminal.)
time.sleep(0.5)
term.send("\x04")
code = term.wait()
check("Ctrl-D leaves with exit 0", code == 0, f"{code}")
history = open(HISTORY, encoding="utf-8", errors="replace").read() if os.path.exists(HISTORY) else ""
check("the history file keeps whole statements, line by line",
      "SELECT a, s\nFROM t ORDER BY a;" in history.replace("\\040", " ").replace("\\012", "\n"), history)

# History across sessions: the next shell starts with it.
term = Terminal()
term.read(r"wh> ")
term.send("\x1b[A\x1b[A")
time.sleep(0.3)
term.send("\r")
got = term.read(r"(\);|rows?)\s*\nwh> ")
check("history survives the shell", "CREATE TABLE t (" in got or "| 2 |" in got, got)
term.send(".quit\r")
check(".quit leaves", term.wait() == 0)

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
