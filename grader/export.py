"""Grade-book export for training records: UTF-8 CSV with BOM (opens in Excel with Japanese intact) or xlsx."""

from __future__ import annotations

import csv
import json
import subprocess
from pathlib import Path

HEADER = ["研修生", "所属", "課題", "得点", "満点", "提出日時", "完了"]
REPO = Path(__file__).resolve().parent.parent


def gradebook_rows(python: Path, root: Path) -> list[dict]:
    """The gradebook's rows, read by the hub environment's nbgrader (read-only)."""
    if not (root / "gradebook.db").exists():
        return []
    proc = subprocess.run(
        [str(python), "-m", "grader.gradebook_dump", str(root)],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "LANG": "C.UTF-8", "HOME": str(root)},
    )
    return json.loads(proc.stdout)


def table(rows: list[dict], roster: dict[str, str] | None = None) -> list[list]:
    """Rows in HEADER order; 所属 from ``roster`` (trainee -> affiliation) or blank."""
    roster = roster or {}
    return [
        [
            r["trainee"],
            roster.get(r["trainee"], ""),
            r["assignment"],
            "" if r["score"] is None else r["score"],
            r["max"],
            r["submitted_at"] or "",
            "済" if r["completed"] else "未",
        ]
        for r in rows
    ]


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
