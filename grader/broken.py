"""Submissions that cannot be read as notebooks: found before grading, reported, answered with feedback.

A truncated JSON file, something that is not a notebook, an nbformat other than 4 or a missing notebook
would make nbgrader's Autograde fail with an English message that names no cause, on every run. The
worker checks each submitted notebook first (``problems``); a broken submission is not graded: the
trainee gets a feedback page saying what is wrong and what to do (``write_feedback``, released like any
other feedback), and a marker for the submission's timestamp records the state for the command's report
and the grade-book export (``grader.layout.broken_problems``). Pure: no nbgrader import.
"""

from __future__ import annotations

import html
import json
import shutil
from pathlib import Path

from grader.layout import broken_marker, submission_stamp

NBFORMAT = 4  # what nbgrader and the course's notebooks use
TELL_TRAINEE = "研修生に、課題を取り直して提出し直すよう伝えてください。"


def _cut_short(text: str) -> bool:
    """Does the JSON text end inside a string or with brackets left open (a file cut off while written)?"""
    depth, in_string, escaped = 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
    return in_string or depth > 0


def _why(path: Path) -> str | None:
    """Why the notebook file at ``path`` cannot be graded (Japanese, in parentheses' words), or None."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None  # reported by problems() as missing
    except OSError as e:
        return f"ファイルを読めません: {e.strerror}"
    if not data.strip():
        return "中身が空です"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "文字コードが UTF-8 ではありません"
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as e:
        if _cut_short(text):
            return "JSON が途中で切れています"
        return f"JSON の書式が {e.lineno} 行目で正しくありません"
    except RecursionError:
        return "JSON の入れ子が深すぎます"
    if not isinstance(nb, dict) or "cells" not in nb or "nbformat" not in nb:
        return "ノートブックではないファイルです"
    if nb.get("nbformat") != NBFORMAT:
        return f"形式が nbformat {nb.get('nbformat')!r} で、採点できる nbformat {NBFORMAT} ではありません"
    cells = nb.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) and "cell_type" in c for c in cells):
        return "セルの情報が壊れています"
    return None


def problems(root: Path, assignment: str, student: str) -> list[str]:
    """What is wrong with each notebook of the submission (one Japanese sentence each; empty: gradable).

    The notebooks expected are those of the assignment's ``source/`` folder, as nbgrader grades them."""
    root = Path(root)
    submitted = root / "submitted" / student / assignment
    out = []
    for src in sorted((root / "source" / assignment).glob("*.ipynb")):
        name = src.name
        if not (submitted / name).is_file():
            out.append(f"提出にノートブック {name} がありません (ファイル名が変わったか、消えています)")
            continue
        why = _why(submitted / name)
        if why:
            out.append(f"提出されたノートブック {name} が壊れています ({why})")
    return out


def instructor_message(found: list[str]) -> str:
    """The command's one-line report of a broken submission: what happened, what to do."""
    return "。".join(found) + "。" + TELL_TRAINEE


_PAGE = """<!DOCTYPE html>
<html lang="ja"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; max-width: 46em; margin: 2em auto; line-height: 1.7">
<h1>{title}</h1>
<p><strong>この提出は採点できませんでした。</strong>得点はまだありません。</p>
<ul>{items}</ul>
<p>提出: {submitted}</p>
<h2>どうすればよいか</h2>
<ol>
<li>自分の課題フォルダーのノートブックを開き、解答が残っているか確かめてください。</li>
<li>開けて解答が残っていれば、保存してから、もう一度提出してください
(メニュー「課題」→「課題の一覧」の「提出する」)。</li>
<li>開けないときや解答が消えているときは、講師に相談してください。講師が課題を配布時の状態に戻したら
(研修コンソールの「配布時の状態に戻す」)、解答を書き直してから提出し直します。</li>
</ol>
<p>提出し直すと、新しい提出が採点され、このページは採点結果のフィードバックに置き換わります。</p>
</body></html>
"""


def feedback_page(assignment: str, found: list[str], submitted: str) -> str:
    """The trainee's feedback page for a broken submission (every value escaped)."""
    items = "".join(f"<li>{html.escape(p)}</li>" for p in found)
    title = html.escape(f"課題 {assignment}: 提出されたファイルに問題があります")
    return _PAGE.format(title=title, items=items, submitted=html.escape(submitted or "(不明)"))


def write_feedback(root: Path, assignment: str, student: str, found: list[str]) -> None:
    """Replace the submission's feedback with a page per notebook saying it could not be graded, and
    record the state (``grader.layout.broken_marker``) for this submission's timestamp.

    ``nbgrader release_feedback`` then releases these pages as it does graded feedback: it needs the
    submission's ``timestamp.txt`` and ``submission_secret.txt`` beside them."""
    root = Path(root)
    submitted = root / "submitted" / student / assignment
    feedback = root / "feedback" / student / assignment
    shutil.rmtree(feedback, ignore_errors=True)
    feedback.mkdir(parents=True)
    for extra in ("timestamp.txt", "submission_secret.txt"):
        if (submitted / extra).is_file():
            shutil.copyfile(submitted / extra, feedback / extra)
    stamp = submission_stamp(root, assignment, student)
    page = feedback_page(assignment, found, stamp)
    for src in sorted((root / "source" / assignment).glob("*.ipynb")):
        (feedback / f"{src.stem}.html").write_text(page, encoding="utf-8")
    marker = broken_marker(root, assignment, student)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps({"stamp": stamp, "problems": found}, ensure_ascii=False), encoding="utf-8")


BROKEN_LABEL = "提出ファイル破損 (再提出待ち)"


def mark_in_export(head: list[str], rows: list[list], found: set[tuple[str, str]]) -> None:
    """Grade-book export rows (``classroom.export``; their scores computed without these submissions) with
    each (trainee, assignment) in ``found`` shown as broken instead of 未採点, in its cell and in 備考."""
    for row in rows:
        for a in head:
            if (row[0], a) not in found:
                continue
            row[head.index(a)] = BROKEN_LABEL
            if head[-1] == "備考":
                notes = [f"{a}: {BROKEN_LABEL}" if n.startswith(f"{a}: ") else n for n in str(row[-1]).split("、")]
                row[-1] = "、".join(n for n in notes if n)
