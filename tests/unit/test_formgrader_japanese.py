"""The formgrader and the feedback page in Japanese (grader/formgrader_text.py): do the string tables
still match nbgrader, so that nothing silently reverts to English after an upgrade?

The CLI venv has no nbgrader: the check against the installed files runs the hub venv's python
(``python -m grader.formgrader_text --check``) and is skipped where ./testbed up has not installed it.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from helpers.installed import HUB_PYTHON

from grader import formgrader_text, nbgrader_settings

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
QUOTED_ENGLISH = re.compile(r"\"[^\"]*[A-Za-z]{3,}[^\"]*\"")
COMMANDS = re.compile(r"\./testbed [a-z]+ \"[^\"]*\"")
META = re.compile(r"<meta [^>]*>")  # read by programs, never shown


def test_is_the_pinned_nbgrader_the_release_the_tables_were_written_for():
    """Does an upgrade of the pinned nbgrader fail here until the tables are checked against it?"""
    pins = (REPO / "testbed_cli" / "requirements" / "hub.txt").read_text()
    assert f"nbgrader=={formgrader_text.UPSTREAM_VERSION}\n" in pins, (
        "nbgrader's pin changed: run `python -m grader.formgrader_text --check` in the hub venv, re-translate "
        "what changed, then `--digests` / `--write` and update UPSTREAM_VERSION"
    )


def test_does_the_installed_nbgrader_still_match_every_table():
    """Are nbgrader's installed templates and scripts the ones translated, every snippet found, and
    grader/templates written from them?"""
    if not HUB_PYTHON.exists():
        pytest.skip(f"no hub venv at {HUB_PYTHON} (./testbed up installs it)")
    out = subprocess.run(
        [str(HUB_PYTHON), "-m", "grader.formgrader_text", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    assert report == {"changed": [], "not_found": [], "stale": []}, (
        "nbgrader's formgrader changed (or grader/templates is stale): re-translate in grader/formgrader_text.py, "
        f"then `python -m grader.formgrader_text --digests --write`: {report}"
    )


@pytest.mark.parametrize("table", ["TEMPLATES", "SCRIPTS"])
def test_is_every_replacement_japanese(table):
    """Does each replacement read in Japanese (or only drop a word, such as "None" for an empty name)?"""
    leftovers = [
        (name, ja)
        for name, pairs in getattr(formgrader_text, table).items()
        for _en, ja in pairs
        if not JAPANESE.search(ja) and QUOTED_ENGLISH.search(META.sub("", COMMANDS.sub("", ja)))
    ]
    assert leftovers == []


def test_do_the_grading_page_and_feedback_use_the_japanese_templates():
    """Does every HTMLExporter of a course look in grader/templates first, where formgrade/ and feedback/ are?"""
    settings = nbgrader_settings.course_settings("/srv/course", "odtb", templates="/opt/app/grader/templates")
    assert settings["HTMLExporter.extra_template_basedirs"] == ["/opt/app/grader/templates"]
    for name in formgrader_text.NBCONVERT_TEMPLATES + formgrader_text.NBCONVERT_CONF:
        assert (formgrader_text.TEMPLATE_DIR / name).is_file(), name
    feedback = (formgrader_text.TEMPLATE_DIR / "feedback" / "index.html.j2").read_text(encoding="utf-8")
    assert "Student's answer" not in feedback and "あなたの解答" in feedback and "講師のコメント" in feedback
