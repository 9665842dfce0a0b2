"""The wrong-answer catalogue (courses/odtb/catalogue/), executed against the instructor's notebooks.

Every wrong answer must be rejected by the self-check alone and by the hidden tests alone; every right
variant must pass both. One catalogue file runs once (in the hub venv: the notebook once, a fork per entry) as
a test trainee with a sandbox organisation; the tests are per question, so a failure names the module, the
question, the entry and the check that let it through. The figure test prints the figure.

Fidelity of the forks: the tiny harness catalogue always runs both ways (one kernel per entry too); set
``ODTB_CATALOGUE_FIDELITY=kadai_02,kadai_04`` (or ``all``) to compare both ways on real catalogue files.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

import ckanapi
import pytest

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "courses" / "odtb"))

import catalogue  # noqa: E402

from testbed_config.names import sandbox_org_name  # noqa: E402

pytestmark = pytest.mark.integration

FILES = {p.stem: p for p in catalogue.files()}
QUESTIONS = [(stem, q["answer"]) for stem, p in FILES.items() for q in catalogue.load(p)["questions"]]


@pytest.fixture(scope="module")
def trainee_env(ckan_admin):
    """A CKAN user with a sandbox organisation (as the spawn hook makes them), purged afterwards."""
    name = f"odtbcat{secrets.token_hex(3)}"
    org = sandbox_org_name(name)
    try:
        ckan_admin.action.user_create(name=name, email=f"{name}@example.invalid", password=secrets.token_urlsafe(18))
        ckan_admin.action.organization_create(name=org, title=f"{name} のサンドボックス")
        ckan_admin.action.organization_member_create(id=org, username=name, role="editor")
        token = ckan_admin.action.api_token_create(user=name, name="catalogue-test")["token"]
        yield {"CKAN_URL": ckan_admin.address, "CKAN_API_TOKEN": token, "CKAN_SANDBOX_ORG": org}
    finally:
        try:
            org_id = ckan_admin.action.organization_show(id=org)["id"]
            found = ckan_admin.action.package_search(fq=f'owner_org:"{org_id}"', include_private=True, rows=100)
            for ds in found["results"]:
                ckan_admin.action.dataset_purge(id=ds["id"])
            ckan_admin.action.organization_purge(id=org)
        except ckanapi.NotFound:
            pass
        try:
            ckan_admin.action.user_delete(id=name)
        except ckanapi.NotFound:
            pass


@pytest.fixture(scope="module")
def executed(trainee_env, tmp_path_factory):
    """{catalogue file stem: results}, each file executed on first use."""
    cache: dict[str, list[dict]] = {}

    def get(stem: str) -> list[dict]:
        if stem not in cache:
            cache[stem] = catalogue.run(FILES[stem], tmp_path_factory.mktemp(stem), trainee_env)
            print(f"\n{stem}: {catalogue.figure_line(cache[stem])}")
        return cache[stem]

    return get


@pytest.mark.parametrize("stem", sorted(FILES))
def test_catalogue_file_is_complete(stem):
    """Does every question of the file list at least 4 wrong answers and 2 right variants?"""
    data = catalogue.load(FILES[stem])
    thin = [
        (q["answer"], len(q.get("wrong") or []), len(q.get("right") or []))
        for q in data["questions"]
        if len(q.get("wrong") or []) < 4 or len(q.get("right") or []) < 2
    ]
    assert not thin, f"{stem}: questions with fewer than 4 wrong / 2 right entries (answer, wrong, right): {thin}"


@pytest.mark.parametrize(("stem", "answer"), QUESTIONS, ids=[f"{s}-{a}" for s, a in QUESTIONS])
def test_wrong_answers_rejected_and_right_variants_accepted(executed, stem, answer):
    """Is every wrong answer to this question rejected by the self-check alone and by the hidden tests,
    and every right variant accepted by both?"""
    results = [r for r in executed(stem) if r["answer"] == answer]
    assert results, f"{stem} {answer}: nothing executed"
    found = catalogue.problems(results)
    assert not found, "\n".join(found)


def test_figure(executed):
    """What share of the catalogue do the checks get right? (printed; the per-question tests assert it)"""
    results = [r for stem in sorted(FILES) for r in executed(stem)]
    line = catalogue.figure_line(results)
    print("\n" + line)
    for stem in sorted(FILES):
        print(f"  {stem}: {catalogue.figure_line(executed(stem))}")
    assert results


FIDELITY = os.environ.get("ODTB_CATALOGUE_FIDELITY", "")
FIDELITY_STEMS = sorted(FILES) if FIDELITY == "all" else [s for s in FIDELITY.split(",") if s]


def _verdicts(results: list[dict]) -> list[tuple]:
    keys = ("answer", "kind", "name", "setup_error", "answer_error", "self_error", "hidden_error", "self_ok")
    return [(*(r[k] for k in keys), r["hidden_ok"]) for r in results]


@pytest.mark.skipif(not FIDELITY_STEMS, reason="set ODTB_CATALOGUE_FIDELITY=kadai_02,… (or all) to compare")
@pytest.mark.parametrize("stem", FIDELITY_STEMS or ["none"])
def test_forks_give_the_verdicts_of_one_kernel_per_entry(executed, trainee_env, tmp_path, stem):
    """Does the fork of a prepared process give every entry of a real catalogue file the same verdicts and
    error texts as a fresh kernel per entry?"""
    kernels = _verdicts(catalogue.run(FILES[stem], tmp_path, trainee_env, kernels=True))
    forks = _verdicts(executed(stem))
    differ = [f"forks:   {f}\nkernels: {k}" for f, k in zip(forks, kernels, strict=True) if f != k]
    assert not differ, "\n".join(differ)


TINY_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "source": "def check(ok, problem, fix):\n    assert ok, problem\n\nnumbers = [1, 2, 3]",
            "metadata": {},
        },
        {
            "cell_type": "code",
            "source": "### BEGIN SOLUTION\ntotal = sum(numbers)\n### END SOLUTION",
            "metadata": {"nbgrader": {"grade_id": "answer_total", "solution": True}},
        },
        {
            "cell_type": "code",
            # the self-check only tests the type: the mean slips through it, the hidden test catches it
            "source": "check(total > 0, 'no', 'fix')\n### BEGIN HIDDEN TESTS\ncheck(total == 6, 'no', 'fix')\n"
            "### END HIDDEN TESTS\nprint('ok')",
            "metadata": {"nbgrader": {"grade_id": "check_total", "grade": True, "points": 1}},
        },
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}

TINY_CATALOGUE = """
module: 99_tiny
questions:
  - answer: answer_total
    tests: check_total
    wrong:
      - name: in_place
        why: 元のリストに書き足した（次の答えに漏れてはいけない）
        code: "numbers.append(-6)\\ntotal = sum(numbers)"
      - name: mean
        why: 合計ではなく平均
        code: "total = sum([1, 2, 3]) / 3"
      - name: zero
        why: 0 を入れた
        code: "total = 0"
      - name: typo
        why: 変数名の打ち間違い（自分のセルで止まる）
        code: "total = summ([1, 2, 3])"
    right:
      - name: numpy
        why: numpy の整数
        code: "import numpy as np\\ntotal = np.int64(sum(numbers))"
      - name: refused
        why: 正しいが、隠しテストが float を拒む想定ではない（合格するはず）
        code: "total = float(sum(numbers))"
"""


def _tiny(tmp_path: Path, kernels: bool = False) -> list[dict]:
    """The tiny catalogue's results (its notebook and YAML written under ``tmp_path``)."""
    for cell in TINY_NOTEBOOK["cells"]:
        cell.update(execution_count=None, outputs=[])
    (tmp_path / "source" / "99_tiny").mkdir(parents=True, exist_ok=True)
    (tmp_path / "source" / "99_tiny" / "kadai_99_tiny.ipynb").write_text(json.dumps(TINY_NOTEBOOK))
    (tmp_path / "kadai_99.yaml").write_text(TINY_CATALOGUE, encoding="utf-8")
    work = tmp_path / ("kernels" if kernels else "forks")
    return catalogue.run(tmp_path / "kadai_99.yaml", work, source=tmp_path / "source", kernels=kernels)


def test_the_harness_reports_a_wrong_answer_the_self_check_accepts(tmp_path):
    """Can the harness fail? On a tiny notebook whose self-check lets the mean through, is that wrong
    answer reported as accepted by the self-check (and not by the hidden test), the crashing one reported
    as crashing in its own cell, and the right variants accepted (the one that changed the list in place
    left nothing behind)?"""
    results = _tiny(tmp_path)
    by_name = {r["name"]: r for r in results}
    assert by_name["mean"]["self_ok"] and not by_name["mean"]["hidden_ok"]
    assert not by_name["zero"]["self_ok"] and not by_name["zero"]["hidden_ok"]
    assert not by_name["in_place"]["self_ok"] and not by_name["in_place"]["hidden_ok"]
    assert by_name["typo"]["answer_error"].startswith("NameError")
    assert all(by_name[n]["self_ok"] and by_name[n]["hidden_ok"] for n in ("numpy", "refused"))
    found = catalogue.problems(results)
    assert any("mean" in p and "self-check" in p and "accepts" in p for p in found), found
    assert any("typo" in p and "crashes: true" in p for p in found), found
    assert not any("the hidden tests of" in p and "mean" in p for p in found), found
    assert len(found) == 2, found
    assert catalogue.figures(results) == {"self": (3, 4), "hidden": (4, 4), "right": (2, 2)}


def test_forks_give_the_verdicts_of_one_kernel_per_entry_on_the_tiny_catalogue(tmp_path):
    """Do the forks of a prepared process and a fresh kernel per entry give the tiny catalogue the same
    verdicts and error texts?"""
    assert _verdicts(_tiny(tmp_path)) == _verdicts(_tiny(tmp_path, kernels=True))
