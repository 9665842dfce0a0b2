"""grader.release: one submission's feedback released the way nbgrader's release_feedback does it."""

from __future__ import annotations

import hashlib

import pytest

from grader.release import release_one

pytestmark = pytest.mark.unit


def _feedback(root, student, secret="s3cret", pages=("kadai_01", "kyozai_01")):
    folder = root / "feedback" / student / "a1"
    folder.mkdir(parents=True)
    (folder / "submission_secret.txt").write_text(secret)
    (folder / "timestamp.txt").write_text("2026-12-08 09:00:00.000000 JST")
    for page in pages:
        (folder / f"{page}.html").write_text(f"<p>{student} {page}</p>")
    return folder


def test_pages_are_named_as_nbgraders_list_looks_for_them_and_readable(tmp_path):
    root, exchange = tmp_path / "course", tmp_path / "exchange" / "odtb"
    (exchange / "feedback").mkdir(parents=True)
    _feedback(root, "alice")
    _feedback(root, "bob", secret="other")
    written = release_one(root, exchange, "a1", "alice")
    # nbgrader 0.9's name: md5(submission secret + notebook id) (nbgrader.utils.notebook_hash, new method)
    want = {hashlib.md5(f"s3cret{nb}".encode()).hexdigest() + ".html" for nb in ("kadai_01", "kyozai_01")}
    assert {p.name for p in written} == want
    assert {p.name for p in (exchange / "feedback").iterdir()} == want  # only alice's, no temporary file left
    page = exchange / "feedback" / (hashlib.md5(b"s3cretkadai_01").hexdigest() + ".html")
    assert page.read_text() == "<p>alice kadai_01</p>"
    assert page.stat().st_mode & 0o777 == 0o644


def test_a_second_release_replaces_the_page(tmp_path):
    root, exchange = tmp_path / "course", tmp_path / "exchange" / "odtb"
    (exchange / "feedback").mkdir(parents=True)
    folder = _feedback(root, "alice", pages=("kadai_01",))
    release_one(root, exchange, "a1", "alice")
    (folder / "kadai_01.html").write_text("<p>updated</p>")
    (written,) = release_one(root, exchange, "a1", "alice")
    assert written.read_text() == "<p>updated</p>"


def test_nothing_without_feedback_or_secret(tmp_path):
    root, exchange = tmp_path / "course", tmp_path / "exchange" / "odtb"
    (exchange / "feedback").mkdir(parents=True)
    assert release_one(root, exchange, "a1", "nobody") == []
    folder = _feedback(root, "carol")
    (folder / "submission_secret.txt").unlink()
    assert release_one(root, exchange, "a1", "carol") == []
    assert not list((exchange / "feedback").iterdir())
