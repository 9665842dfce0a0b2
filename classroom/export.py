"""Grade-book export for training records: UTF-8 CSV with BOM (opens in Excel with Japanese intact) or xlsx.

Times are shown in Japan time. 期, 締切 and 期限後の提出 come from the roster (cohorts) and the deadlines set with
``./testbed cohort deadline``; a submission is late when the graded one was made after the trainee's deadline
(rules in ``classroom/deadlines.py``)."""

from __future__ import annotations

import csv
import json
import subprocess
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from classroom import deadlines as rules
from classroom.completion import parse_gradebook_time

HEADER = ["研修生", "所属", "課題", "得点", "満点", "提出日時", "完了", "期", "締切", "期限後の提出"]
REPO = Path(__file__).resolve().parent.parent


def gradebook_rows(python: Path, root: Path) -> list[dict]:
    """The gradebook's rows, read by the hub environment's nbgrader (read-only)."""
    if not (root / "gradebook.db").exists():
        return []
    proc = subprocess.run(
        [str(python), "-m", "classroom.gradebook_dump", str(root)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LANG": "C.UTF-8", "HOME": str(root)},
    )
    return json.loads(proc.stdout)


def _time(at: datetime | None) -> str:
    return at.astimezone(rules.JST).strftime("%Y-%m-%d %H:%M:%S") if at else ""


def table(
    rows: list[dict],
    roster: dict[str, str] | None = None,
    *,
    cohorts: Mapping[str, str] | None = None,
    deadlines: Mapping[tuple[str, str], datetime] | None = None,
) -> list[list]:
    """Rows in HEADER order; 所属 from ``roster`` and 期 from ``cohorts`` (trainee -> text) or blank; 締切 from
    ``deadlines`` ((assignment, 期 or "") -> due); 期限後の提出 はい/いいえ, blank without a deadline or submission."""
    roster, cohorts, deadlines = roster or {}, cohorts or {}, deadlines or {}
    out = []
    for r in rows:
        cohort = cohorts.get(r["trainee"], "")
        due = rules.applicable(deadlines, r["assignment"], cohort)
        at = parse_gradebook_time(r["submitted_at"])
        late = "" if due is None or at is None else ("はい" if rules.is_late(due, at) else "いいえ")
        out.append(
            [
                r["trainee"],
                roster.get(r["trainee"], ""),
                r["assignment"],
                "" if r["score"] is None else r["score"],
                r["max"],
                _time(at) if at else r["submitted_at"] or "",
                "済" if r["completed"] else "未",
                cohort,
                _time(due)[:16],
                late,
            ]
        )
    return out


def write(path: Path, data: list[list], fmt: str) -> None:
    if fmt == "csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(HEADER)
            w.writerows(data)
    else:
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.title = "成績"
        ws.append(HEADER)
        for row in data:
            ws.append(row)
        wb.save(path)
