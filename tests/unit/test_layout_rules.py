"""The house's plan, read from the code: imports point one way, and the top-level listing matches the README.

Floors (DESIGN.md, issue #11): ``testbed_cli/`` on top; ``hub_config/``, ``ckan_seed/``, ``grader/``,
``classroom/`` and ``deploy/`` in the middle, never importing each other; ``testbed_config/`` and
``datasets/`` at the bottom; ``ckanext-testbed/`` runs inside CKAN and imports nothing of the project. The
hub's config files are composition roots like the CLI: they wire the middle parts together.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
TOP = {"testbed_cli"}
MIDDLE = {"hub_config", "ckan_seed", "grader", "classroom", "deploy"}
BOTTOM = {"testbed_config", "datasets"}
PROJECT = TOP | MIDDLE | BOTTOM
COMPOSITION_ROOTS = {"hub_config/jupyterhub_config.py", "hub_config/jupyterhub_config_docker.py"}


def imported_parts(source: str) -> set[str]:
    """The project's top-level packages a module imports (anywhere in it, also inside functions)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found |= {n.split(".")[0] for n in names if n.split(".")[0] in PROJECT}
    return found


def allowed(part: str, rel: str) -> set[str]:
    """What the module ``rel`` of ``part`` may import."""
    if part in TOP or rel in COMPOSITION_ROOTS:
        return PROJECT
    if part in MIDDLE:
        return {part} | BOTTOM
    if part in BOTTOM:
        return BOTTOM
    return set()  # ckanext-testbed


def violations(repo: Path) -> list[str]:
    out = []
    for part in sorted(PROJECT | {"ckanext-testbed"}):
        for path in sorted((repo / part).rglob("*.py")):
            rel = path.relative_to(repo).as_posix()
            if "/tests/" in f"/{rel}":
                continue
            bad = imported_parts(path.read_text(encoding="utf-8")) - allowed(part, rel)
            out += [f"{rel} imports {b}" for b in sorted(bad)]
    return out


def test_do_imports_point_one_way():
    """Does every module import only its own part and the floors below it (middle parts never each other)?"""
    assert violations(REPO) == []


def test_would_a_sideways_import_be_caught(tmp_path):
    """Is a middle part importing another middle part, or the extension importing the project, reported?"""
    (tmp_path / "grader").mkdir()
    (tmp_path / "grader" / "x.py").write_text("def f():\n    from classroom import board\n", encoding="utf-8")
    (tmp_path / "ckanext-testbed").mkdir()
    (tmp_path / "ckanext-testbed" / "p.py").write_text("import testbed_config.names\n", encoding="utf-8")
    (tmp_path / "testbed_cli").mkdir()
    (tmp_path / "testbed_cli" / "ok.py").write_text("from grader import batch\nfrom . import x\n", encoding="utf-8")
    assert violations(tmp_path) == ["ckanext-testbed/p.py imports testbed_config", "grader/x.py imports classroom"]


def _readme_layout() -> list[str]:
    text = (REPO / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+?)/?`", text, flags=re.MULTILINE)


def test_does_the_readme_layout_table_match_the_folders():
    """Does the README's layout table name exactly the top-level folders, each with a README of its own?"""
    folders = sorted(p.name for p in REPO.iterdir() if p.is_dir() and not p.name.startswith("."))
    named = [n for entry in _readme_layout() for n in re.split(r"`?, `", entry)]
    assert sorted(n.rstrip("/") for n in named if (REPO / n.rstrip("/")).is_dir()) == folders
    assert [f for f in folders if not (REPO / f / "README.md").is_file()] == []
