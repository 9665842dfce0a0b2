"""grader.warm.course_imports: what a warm template imports is read from the course's source notebooks only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.warm import course_imports

pytestmark = pytest.mark.unit


def _notebook(path: Path, *sources: str) -> None:
    code = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    cells = [{**code, "source": s} for s in sources]
    cells.append({"cell_type": "markdown", "source": "import markdown_is_not_code", "metadata": {}})
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}))


def test_imports_of_source_notebooks_in_order_without_course_local_modules(tmp_path):
    folder = tmp_path / "source" / "kadai_01"
    folder.mkdir(parents=True)
    (folder / "odtbcheck").mkdir()
    (folder / "helper.py").write_text("")
    _notebook(
        folder / "a.ipynb",
        "from __future__ import annotations\nimport pandas as pd\nimport matplotlib.pyplot as plt",
        "%matplotlib inline\nfrom odtbcheck.kadai_01 import check\nimport helper\nfrom . import rel",
        "def f(:\n  broken syntax is skipped",
        "import numpy, pandas\nfrom matplotlib import ticker",
    )
    _notebook(folder / "b.ipynb", ["import requests\n", "import json"])
    assert course_imports(tmp_path, "kadai_01") == [
        "pandas",
        "matplotlib.pyplot",
        "numpy",
        "matplotlib",
        "requests",
        "json",
    ]


def test_a_submission_is_never_read(tmp_path):
    (tmp_path / "source" / "a1").mkdir(parents=True)
    sub = tmp_path / "submitted" / "alice" / "a1"
    sub.mkdir(parents=True)
    _notebook(sub / "a.ipynb", "import os; os.system('x')\nimport evil")
    assert course_imports(tmp_path, "a1") == []
    assert course_imports(tmp_path, "missing") == []
