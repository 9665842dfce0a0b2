"""Which network a graded notebook's kernel may use: none, or read-only CKAN by per-assignment opt-in.

An assignment that reads the catalogue declares it in its *source* notebook's metadata
(``{"testbed": {"network": "ckan"}}``; courses/odtb/build.py sets it for notebooks that include
the CKAN set-up). Only the instructor's source copy in the course directory counts: a trainee can
edit the metadata of the notebook they submit, so the submission's is never read.
"""

from __future__ import annotations

import json
from pathlib import Path

from testbed_config import StackConfig
from testbed_config.names import sandbox_org_name

NETWORKS = ("", "ckan")
DEFAULT_CKAN_URL = StackConfig().ckan_internal_url


def notebook_network(nb_metadata: dict) -> str:
    """The declared network of one notebook's metadata ('' when none or unknown)."""
    value = ((nb_metadata or {}).get("testbed") or {}).get("network") or ""
    return value if value in NETWORKS else ""


def source_network(course_root: Path | str, assignment: str, notebook: str) -> str:
    """The network declared by the course's source copy of ``assignment/notebook.ipynb`` ('' if none)."""
    path = Path(course_root) / "source" / assignment / f"{notebook}.ipynb"
    try:
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata") or {}
    except (OSError, ValueError):
        return ""
    return notebook_network(meta)


def default_ckan_url() -> str:
    """The stack's internal CKAN URL (from the stack config when readable, else the default port)."""
    try:
        from testbed_config import load_config

        return load_config().ckan_internal_url
    except Exception:  # the formgrader's account may not read the config: the default stack layout
        return DEFAULT_CKAN_URL


def sandbox_org(student: str | None, prefix: str = "jupyter-") -> str:
    """The CKAN sandbox organisation of a graded student ('' if unknown): a notebook graded without a
    token reads what the trainee published there instead of publishing again."""
    if not student:
        return ""
    # nbgrader knows trainees by Unix account (jupyter-NAME), CKAN by hub name
    return sandbox_org_name(student.removeprefix(prefix))
