"""Japanese answers of nbgrader's trainee-side handlers (hub_config/nbgrader_text.py, hub_config/nbgrader_ja.py):
does a trainee read what happened and what to do, never a Python traceback?

The CLI venv has no nbgrader: the check of the Validator subclass runs in the hub venv's python and is
skipped where ./testbed up has not installed it.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from helpers.installed import HUB_PYTHON

from hub_config import nbgrader_text as text

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
ALLOWED = {"nbgrader", "ID", "JupyterLab", "testbed", "up", "update"}  # names, and commands for the instructor


def _latin_words(s: str) -> set[str]:
    return set(re.findall(r"[A-Za-z]{2,}", s)) - ALLOWED


TRACEBACK = """Traceback (most recent call last):
  File "/opt/testbed/venvs/hub/lib/python3.11/site-packages/nbgrader/exchange/default/submit.py", line 75
    self.fail("Assignment not found: {}".format(self.release_path))
nbgrader.exchange.abc.exchange.ExchangeError: MESSAGE
"""


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("Assignment not found: /srv/exchange/odtb/outbound/01", "まだ配布されていない"),
        ("You do not have access to this course.", "登録されていません"),
        (
            "Assignment 01 not submitted. There are missing notebooks for the submission:\nExpected:\n\ta.ipynb",
            "ノートブックが足りません",
        ),
        ("You don't have write permissions to the directory: /srv/exchange/odtb/inbound", "権限がありません"),
    ],
)
def test_does_a_failed_submit_say_why_in_japanese(message, expected):
    """Does a known exchange error become a Japanese reason, with what to do, and no traceback?"""
    shown = text.explain_failure("submit", TRACEBACK.replace("MESSAGE", message))
    assert shown.startswith("課題を提出できませんでした。") and expected in shown and text.ASK in shown
    assert "Traceback" not in shown and _latin_words(shown) == set()


def test_does_an_unknown_failure_keep_only_its_last_line_as_detail():
    """Is an unexpected error shown as a Japanese lead plus its one-line cause (for the instructor)?"""
    shown = text.explain_failure("list", "Traceback (most recent call last):\n  File x\nOSError: disk full\n")
    assert shown.splitlines() == [text.LEADS["list"], "(詳しい情報: OSError: disk full)", text.ASK]


def test_is_a_failed_check_explained_like_the_feedback():
    """Does a failing assert show its own message, and another error its name and value?"""
    assert text.explain_error("AssertionError", "列「人口」がありません") == "不合格: 列「人口」がありません"
    assert text.explain_error("AssertionError", "") == "不合格: " + text.NO_DETAIL
    assert text.explain_error("NameError", "name 'df' is not defined") == (
        "不合格: エラーが起きました (NameError): name 'df' is not defined"
    )


def test_is_the_version_message_japanese_with_both_versions():
    shown = text.version_mismatch("0.0.1", "0.9.6")
    assert "0.0.1" in shown and "0.9.6" in shown and _latin_words(shown) == set()


def test_are_all_fixed_texts_japanese():
    """Is every fixed text a trainee may read free of English words (names and commands aside)?"""
    fixed = [text.NO_DETAIL, text.PARTIAL, text.NO_RESPONSE, text.ASK, text.EXCHANGE_MISSING, text.STDERR]
    fixed += list(text.LEADS.values()) + [reason for _, reason in text.REASONS]
    fixed += [text.SCHEMA_TOO_OLD.format(path="a.ipynb"), text.SCHEMA_TOO_NEW.format(path="a.ipynb")]
    assert [t for t in fixed if _latin_words(t.replace("a.ipynb", "").replace("{text}", ""))] == []


VALIDATOR_CHECK = """
import json, nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output
from hub_config.nbgrader_ja import JapaneseValidator
v = JapaneseValidator()
def cell(outputs, grade=True):
    c = new_code_cell("assert False", outputs=outputs)
    c.metadata.nbgrader = {"grade": grade, "solution": not grade, "grade_id": "t", "points": 1, "schema_version": 3}
    return c
err = new_output("error", ename="AssertionError", evalue="合計が違います", traceback=["Traceback ..."])
print(json.dumps([v._extract_error(cell([err])), v._extract_error(cell([], grade=False))]))
"""


def test_does_the_validator_explain_a_failed_cell_in_japanese():
    """Does nbgrader's Validator, as the trainee's server runs it, give the assert message, not a traceback?"""
    if not HUB_PYTHON.exists():
        pytest.skip(f"no hub venv at {HUB_PYTHON} (./testbed up installs it)")
    res = subprocess.run([str(HUB_PYTHON), "-c", VALIDATOR_CHECK], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    failed, unanswered = json.loads(res.stdout)
    assert failed == "不合格: 合計が違います"
    assert unanswered == text.NO_RESPONSE


def test_are_submission_times_shown_in_japan_time_in_japanese():
    """Does the Assignment List show a submission stamped in Japan time, or in UTC by an older setting,
    as the same Japanese Japan time?"""
    assert text.submitted_at("2026-12-07 08:20:05.123456 JST") == "2026年12月7日(月) 08:20:05"
    assert text.submitted_at("2026-12-06 23:20:05.123456 UTC") == "2026年12月7日(月) 08:20:05"
    assert text.submitted_at("not a time") == "not a time"
