"""Builds small throw-away nbgrader courses (for tests and benchmarks): one assignment with a
solution cell and a test cell with visible and hidden tests, and submissions with given answers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

NOTEBOOK = "kadai.ipynb"
HIDDEN_MARK = "HIDDEN-CHECK-7f3a"
SOLUTION = "def goukei(xs):\n    return sum(xs)\n"
TESTS = (
    'assert goukei([1, 2]) == 3, "goukei([1, 2]) は 3 になるはずです"\n'
    "### BEGIN HIDDEN TESTS\n"
    f'assert goukei([10, 20, 30]) == 60, "{HIDDEN_MARK}"\n'
    "### END HIDDEN TESTS\n"
)


def _cell(cell, **nbg):
    cell.metadata["nbgrader"] = {"schema_version": 3, "locked": False, "solution": False, "grade": False, **nbg}
    return cell


def source_notebook() -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        new_markdown_cell("# 合計を求める\nリストの合計を返す関数 `goukei` を書いてください。"),
        _cell(new_code_cell(f"### BEGIN SOLUTION\n{SOLUTION}### END SOLUTION\n"), grade_id="kotae", solution=True),
        _cell(new_code_cell(TESTS), grade_id="test_goukei", grade=True, points=2, locked=True),
    ]
    return nb


def build_course(root: Path, course: str, assignment: str, nbgrader: Path) -> None:
    """Source notebook + ``nbgrader generate_assignment`` (fills the gradebook) in ``root``."""
    src = root / "source" / assignment
    src.mkdir(parents=True, exist_ok=True)
    nbformat.write(source_notebook(), src / NOTEBOOK)
    (root / "nbgrader_config.py").write_text(
        f"c = get_config()  # noqa: F821\nc.CourseDirectory.course_id = {course!r}\n", encoding="utf-8"
    )
    subprocess.run(
        [str(nbgrader), "generate_assignment", assignment, "--force"],
        cwd=root,
        check=True,
        capture_output=True,
        env={"PATH": f"{nbgrader.parent}:/usr/bin:/bin", "HOME": str(root), "LANG": "C.UTF-8"},
    )


def add_submission(root: Path, assignment: str, student: str, answer: str, stamp: str = "2026-11-25 09:00:00") -> None:
    """A collected submission whose solution cell holds ``answer``."""
    nb = nbformat.read(root / "release" / assignment / NOTEBOOK, as_version=4)
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = answer
    dest = root / "submitted" / student / assignment
    dest.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, dest / NOTEBOOK)
    (dest / "timestamp.txt").write_text(stamp, encoding="utf-8")


def main(argv: list[str]) -> None:
    """``python -m grader.coursebuilder ROOT COURSE ASSIGNMENT NBGRADER [STUDENT=ANSWER_FILE ...]``."""
    root, course, assignment, nbgrader = Path(argv[0]), argv[1], argv[2], Path(argv[3])
    root.mkdir(parents=True, exist_ok=True)
    build_course(root, course, assignment, nbgrader)
    for spec in argv[4:]:
        student, answer_file = spec.split("=", 1)
        add_submission(root, assignment, student, Path(answer_file).read_text(encoding="utf-8"))


if __name__ == "__main__":
    import sys

    main(sys.argv[1:])
