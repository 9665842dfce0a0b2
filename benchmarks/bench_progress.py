"""Cost of one console refresh (collect facts + build + render the board), off-line on generated data.

Builds a fake course in a temporary folder: its source folders, an nbgrader exchange with T trainees x A
assignments (fetch marks, submissions with resubmissions), a gradebook with scores, and a roster export; then
times ``sources.collect`` + ``board.build`` + ``console_page.board`` (the instructor's board, most behind first)
for several cohort sizes. Every viewer request does this work (plus cached hub lookups), so the table tells how
many refreshes per second one board can serve. Target (issue 12): p95 <= 300 ms at 200 trainees x 12 assignments.
Not a timed test.

    python benchmarks/bench_progress.py [--repeat 30] [--sizes 40,200] [--assignments 12]
"""

from __future__ import annotations

import argparse
import json
import os
import pwd
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from classroom import board, console_page, marks, sources  # noqa: E402
from classroom.completion import Rule  # noqa: E402
from testbed_config import names  # noqa: E402

ASSIGNMENTS = 12
ME = pwd.getpwuid(os.geteuid()).pw_name


def make_course(root: Path, trainees: int, assignments: int = ASSIGNMENTS) -> tuple[Path, Path, Path]:
    ex = root / "exchange" / "odtb"
    (ex / "inbound").mkdir(parents=True)
    marks.ensure_dropbox(ex)
    users = [f"u{i:04d}" for i in range(trainees)]
    for a in range(assignments):
        (ex / "outbound" / f"kadai{a:02d}").mkdir(parents=True)
        (root / "source" / f"kadai{a:02d}").mkdir(parents=True)  # the course's assignments (completion rule)
        (root / "source" / f"kadai{a:02d}" / f"kadai{a:02d}.ipynb").write_text("{}")
        for i, user in enumerate(users):
            marks.mark(ex.parent, "odtb", ME if i == 0 else user, f"kadai{a:02d}")
            for attempt in range(1 + (i + a) % 3 if (i + a) % 4 else 0):
                ts = f"2026-11-25 1{attempt}:00:00.000000 JST"
                (ex / "inbound" / f"jupyter-{user}+kadai{a:02d}+{ts}+r{attempt}").mkdir()
    gb = root / names.GRADEBOOK
    conn = sqlite3.connect(gb)
    conn.executescript(
        "CREATE TABLE assignment (id TEXT PRIMARY KEY, name TEXT);"
        "CREATE TABLE submitted_assignment (id TEXT PRIMARY KEY, assignment_id TEXT, student_id TEXT,"
        " timestamp DATETIME);"
        "CREATE TABLE submitted_notebook (id TEXT PRIMARY KEY, assignment_id TEXT);"
        "CREATE TABLE grade_cells (id TEXT PRIMARY KEY, max_score REAL);"
        "CREATE TABLE grade (id TEXT PRIMARY KEY, notebook_id TEXT, cell_id TEXT, auto_score REAL,"
        " manual_score REAL, extra_credit REAL, needs_manual_grade BOOLEAN);"
    )
    conn.executemany("INSERT INTO grade_cells VALUES (?, 2)", [(f"c{k}",) for k in range(5)])
    for a in range(assignments):
        conn.execute("INSERT INTO assignment VALUES (?, ?)", (f"A{a}", f"kadai{a:02d}"))
        for i, user in enumerate(users):
            sid = f"S{a}-{i}"
            conn.execute(
                "INSERT INTO submitted_assignment VALUES (?, ?, ?, '2026-11-25 02:00:00.000000')",
                (sid, f"A{a}", f"jupyter-{user}"),
            )
            conn.execute("INSERT INTO submitted_notebook VALUES (?, ?)", (f"N{a}-{i}", sid))
            conn.executemany(
                "INSERT INTO grade VALUES (?, ?, ?, ?, NULL, NULL, 0)",
                [(f"G{a}-{i}-{k}", f"N{a}-{i}", f"c{k}", float(k % 3)) for k in range(5)],
            )
    conn.commit()
    conn.close()
    roster = root / "roster.json"
    roster.write_text(json.dumps([{"username": u, "fullname": "研修 太郎", "dept": "企画課"} for u in users]))
    return ex, gb, roster


def refresh(ex: Path, gb: Path, roster: Path, cohort: list[str]) -> int:
    facts = sources.collect(ex, gb, roster, "jupyter-", gb.parent / "source")
    full = board.build(facts, cohort, "odtb", Rule(0.6, b"bench"))
    view = board.visible_to(full, "instructor", instructor=True)
    return len(console_page.board(view, course_title="ベンチマーク", sort="behind"))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--repeat", type=int, default=30)
    p.add_argument("--sizes", default="40,200")
    p.add_argument("--assignments", type=int, default=ASSIGNMENTS)
    args = p.parse_args()
    print(f"{'trainees':>8} {'assignments':>11} {'submissions':>11} {'median ms':>9} {'p95 ms':>7} {'page KiB':>8}")
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            ex, gb, roster = make_course(Path(tmp), size, args.assignments)
            cohort = [f"u{i:04d}" for i in range(size)]
            n_sub = len(os.listdir(ex / "inbound"))
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                nbytes = refresh(ex, gb, roster, cohort)
                times.append((time.perf_counter() - t0) * 1000)
            p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
            print(
                f"{size:>8} {args.assignments:>11} {n_sub:>11} {statistics.median(times):>9.1f} {p95:>7.1f} "
                f"{nbytes / 1024:>8.1f}"
            )


if __name__ == "__main__":
    main()
