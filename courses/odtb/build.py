"""Build the nbgrader source notebooks of course ``odtb`` from readable text sources.

Each ``src/<NN_name>/<notebook>.nbsrc`` becomes ``source/<NN_name>/<notebook>.ipynb`` (nbformat 4.5,
no outputs, deterministic cell ids), and the small internal files a module needs are copied next
to it from ``datasets/`` (trainees cannot read private CKAN datasets). Run after editing a source:

    python courses/odtb/build.py           # rewrite source/
    python courses/odtb/build.py --check   # exit 1 when source/ is out of date

It also writes the instructors' answer keys ``instructor_kit/answer_keys/kadai_NN.md`` (``answer_key.py``),
which ``--check`` compares in the same way.

Source format: cells start with a marker line at column 0.

    %% md                 a markdown cell (locked in assignments)
    %% code               a plain code cell
    %% locked [ID]        a read-only code cell (set-up and helpers in assignments)
    %% solution ID        an answer cell (### BEGIN SOLUTION / ### END SOLUTION inside)
    %% tests ID POINTS    an autograded test cell (### BEGIN HIDDEN TESTS … inside if any)
    %% manual ID POINTS   a manually graded markdown answer

A line ``@include NAME`` is replaced by the text of ``src/_include/NAME`` (shared set-up code).
A notebook that includes ``ckan_setup.inc`` gets the metadata ``{"testbed": {"network": "ckan"}}``:
the grader's sandbox then lets its kernel read CKAN (anonymously; see grader/README.md).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import answer_key

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
SRC = HERE / "src"
OUT = HERE / "source"

# Files copied from datasets/ into an assignment folder (relative to datasets/ → assignment folder).
DATA_FILES: dict[str, dict[str, str]] = {
    "04_anzen": {
        "internal/residents_sample.csv": "data/residents_sample.csv",
        "internal/service_desk_log.csv": "data/service_desk_log.csv",
    },
    "07_sogo": {
        "internal/residents_sample.csv": "data/residents_sample.csv",
    },
}

# Includes whose notebooks read CKAN: their kernels get the catalogue when graded (grader.netpolicy).
CKAN_INCLUDES = {"ckan_setup.inc"}

KERNEL = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}


def _meta(kind: str, args: list[str], auto_id: str) -> dict:
    base = {"schema_version": 3, "task": False}
    if kind == "solution":
        return {**base, "grade": False, "grade_id": args[0], "locked": False, "solution": True}
    if kind == "tests":
        return {**base, "grade": True, "grade_id": args[0], "locked": True, "points": int(args[1]), "solution": False}
    if kind == "manual":
        return {**base, "grade": True, "grade_id": args[0], "locked": False, "points": int(args[1]), "solution": True}
    return {**base, "grade": False, "grade_id": args[0] if args else auto_id, "locked": True, "solution": False}


def parse(text: str, name: str, graded: bool) -> dict:
    """Turn one ``.nbsrc`` text into a notebook dict (nbgrader metadata only when ``graded``)."""
    cells: list[dict] = []
    kind, args, lines = None, [], []
    reads_ckan = False

    def flush() -> None:
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        idx = len(cells)
        cell_id = f"{name[:40]}-{idx:02d}".replace("_", "-")
        markdown = kind in ("md", "manual")
        cell = {"cell_type": "markdown" if markdown else "code", "id": cell_id, "metadata": {}, "source": body}
        if not markdown:
            cell.update(execution_count=None, outputs=[])
        if graded and kind != "code":
            cell["metadata"]["nbgrader"] = _meta(kind, args, f"{name[:40]}-c{idx:02d}")
        elif kind not in ("md", "code"):
            raise ValueError(f"{name}: '{kind}' cells belong in assignments (file name starting with 'kadai')")
        cells.append(cell)

    for line in text.splitlines():
        if line.startswith("@include "):
            reads_ckan |= line.split()[1] in CKAN_INCLUDES
            lines.extend((SRC / "_include" / line.split()[1]).read_text(encoding="utf-8").rstrip("\n").splitlines())
            continue
        if line.startswith("%% "):
            flush()
            kind, *args = line[3:].split()
            if kind not in ("md", "code", "locked", "solution", "tests", "manual"):
                raise ValueError(f"{name}: unknown cell marker {line!r}")
            lines = []
        else:
            lines.append(line)
    flush()
    metadata = {**KERNEL, **({"testbed": {"network": "ckan"}} if reads_ckan else {})}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def render(nb: dict) -> str:
    for cell in nb["cells"]:
        text = cell["source"]
        cell["source"] = text.splitlines(keepends=True)
    return json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def build(out: Path = OUT) -> dict[Path, bytes]:
    """Return every file of ``source/`` as {path: bytes}."""
    files: dict[Path, bytes] = {}
    for module in sorted(p for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("_")):
        for src in sorted(module.glob("*.nbsrc")):
            graded = src.stem.startswith("kadai")
            nb = parse(src.read_text(encoding="utf-8"), src.stem, graded)
            files[out / module.name / f"{src.stem}.ipynb"] = render(nb).encode()
        for rel, dest in DATA_FILES.get(module.name, {}).items():
            files[out / module.name / dest] = (REPO / "datasets" / rel).read_bytes()
    return files


def _compare(files: dict[Path, bytes], folder: Path, pattern: str) -> tuple[list[str], list[str]]:
    """(stale, extra): files missing or different under ``folder``, and files there no longer made."""
    existing = {p for p in folder.rglob(pattern) if p.is_file()} if folder.exists() else set()
    stale = sorted(str(p) for p in files if not p.exists() or p.read_bytes() != files[p])
    return stale, sorted(str(p) for p in existing - set(files))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--check", action="store_true", help="only report whether source/ and the answer keys are up to date"
    )
    opts = ap.parse_args(argv)
    files = build()
    keys = answer_key.keys()
    stale, extra = _compare(files, OUT, "*")
    key_stale, key_extra = _compare(keys, answer_key.KEYS, "*.md")
    if opts.check:
        for p in stale + extra + key_stale + key_extra:
            print(f"古いか余分なファイル: {p}")
        return 1 if stale or extra or key_stale or key_extra else 0
    if OUT.exists():
        shutil.rmtree(OUT)
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    for p in key_extra:
        Path(p).unlink()
    for path, data in keys.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    print(f"{len(files)} ファイルを書きました: {OUT}")
    print(f"解答例 {len(keys)} ファイルを書きました: {answer_key.KEYS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
