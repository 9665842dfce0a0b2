"""Unit tests of classroom/team_work.py: which folders of the team drop box count as a team's submission, and what
of a submitted notebook is read for grading (temporary folders owned by this process; another uid proves the
ownership rule)."""

from __future__ import annotations

import base64
import json
import os
from datetime import datetime, timedelta, timezone

import pytest

from classroom import team_work
from testbed_config.names import team_user_name

pytestmark = pytest.mark.unit

ME = os.getuid()
OTHER = ME + 4242  # an account that is not this process
TEAM = team_user_name("1班")
TEAM2 = team_user_name("2班")
JST = timezone(timedelta(hours=9))
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
NB = "第4回_仮説と次の一手.ipynb"


def _nb(cells: list[dict]) -> bytes:
    return json.dumps({"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}).encode()


def _submit(box, team_user=TEAM, stamp="20261207T183005", tag="0a1b2c3d", meta=None, files=None, by="tanaka"):
    """A submission folder as the team server writes it; returns its path."""
    files = {NB: _nb([])} if files is None else files
    folder = box / f"{team_user}+{stamp}+{tag}"
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    at = datetime.strptime(stamp, "%Y%m%dT%H%M%S").replace(tzinfo=JST).isoformat()
    meta = (
        meta
        if meta is not None
        else {
            "team_user": team_user,
            "team": "1班",
            "submitted_by": by,
            "submitted_at": at,
            "files": list(files),
        }
    )
    (folder / "submission.json").write_text(meta if isinstance(meta, str) else json.dumps(meta), encoding="utf-8")
    return folder


def _uids(mapping):
    return lambda team_user: mapping.get(team_user)


@pytest.fixture
def course(tmp_path):
    (tmp_path / team_work.DIRNAME).mkdir()
    return tmp_path


def test_a_team_folder_owned_by_the_team_account_counts(course):
    """Is a complete folder owned by the team's account read with who, when and which notebooks?"""
    _submit(course / "team_inbound", files={NB: _nb([]), "a.ipynb": _nb([])})
    subs = team_work.submissions(course, _uids({TEAM: ME}))
    [sub] = subs[TEAM]
    assert (sub.team_user, sub.team, sub.submitted_by) == (TEAM, "1班", "tanaka")
    assert sub.files == (NB, "a.ipynb")
    assert sub.submitted_at == datetime(2026, 12, 7, 18, 30, 5, tzinfo=JST) and sub.submitted_at.tzinfo
    assert sub.folder == course / "team_inbound" / sub.name


def test_a_folder_owned_by_another_account_is_ignored(course):
    """Does the same folder stop counting when the team's account is someone else (a forged folder)?"""
    _submit(course / "team_inbound")
    assert team_work.submissions(course, _uids({TEAM: OTHER})) == {}
    assert team_work.submissions(course, _uids({})) == {}  # an unknown team account
    assert team_work.latest(course, _uids({TEAM: ME}))[TEAM].submitted_by == "tanaka"


@pytest.mark.skipif(os.geteuid() != 0, reason="chown to another account needs root")
def test_a_folder_planted_by_another_account_is_ignored(course):
    """Is a folder whose owner really is another account ignored, while the team's own one next to it counts?"""
    forged = _submit(course / "team_inbound", tag="ffffffff", by="intruder")
    os.chown(forged, OTHER, -1)
    _submit(course / "team_inbound", stamp="20261207T170000")
    # inside the team's own folder: a notebook and a submission.json of another account
    theirs = _submit(course / "team_inbound", stamp="20261207T190000", files={NB: _nb([]), "a.ipynb": _nb([])})
    os.chown(theirs / "a.ipynb", OTHER, -1)
    os.chown(_submit(course / "team_inbound", stamp="20261207T200000") / "submission.json", OTHER, -1)
    subs = team_work.submissions(course, _uids({TEAM: ME}))[TEAM]
    assert [(s.submitted_by, s.files) for s in subs] == [("tanaka", (NB,)), ("tanaka", (NB,))]


def test_submissions_are_per_team_and_oldest_first(course):
    """Are two teams kept apart, each list oldest first, and latest the newest?"""
    box = course / "team_inbound"
    _submit(box, stamp="20261207T190000", tag="00000002", by="b")
    _submit(box, stamp="20261207T180000", tag="00000001", by="a")
    _submit(
        box,
        team_user=TEAM2,
        meta={
            "team_user": TEAM2,
            "team": "2班",
            "submitted_by": "c",
            "submitted_at": "2026-12-07T18:00:00+09:00",
            "files": [NB],
        },
    )
    subs = team_work.submissions(course, _uids({TEAM: ME, TEAM2: ME}))
    assert [s.submitted_by for s in subs[TEAM]] == ["a", "b"]
    assert [s.submitted_by for s in subs[TEAM2]] == ["c"]
    assert team_work.latest(course, _uids({TEAM: ME, TEAM2: ME}))[TEAM].submitted_by == "b"


@pytest.mark.parametrize(
    "meta",
    [
        "{not json",
        "[]",
        json.dumps(
            {
                "team_user": TEAM2,
                "team": "1班",
                "submitted_by": "x",
                "submitted_at": "2026-12-07T18:30:05+09:00",
                "files": [],
            }
        ),  # names another team than its folder
        json.dumps(
            {"team_user": TEAM, "team": "1班", "submitted_by": "x", "submitted_at": "2026-12-07T18:30:05", "files": []}
        ),  # naive time
        json.dumps(
            {
                "team_user": TEAM,
                "team": "1班",
                "submitted_by": "",
                "submitted_at": "2026-12-07T18:30:05+09:00",
                "files": [],
            }
        ),  # nobody
        json.dumps(
            {
                "team_user": TEAM,
                "team": "1班",
                "submitted_by": "x",
                "submitted_at": "2026-12-07T18:30:05+09:00",
                "files": "a.ipynb",
            }
        ),
        "\xff",
    ],
)
def test_a_broken_submission_json_is_ignored(course, meta):
    """Is a folder whose submission.json is broken, wrongly typed or names another team ignored, without a crash?"""
    _submit(course / "team_inbound", meta=meta)
    assert team_work.submissions(course, _uids({TEAM: ME, TEAM2: ME})) == {}


def test_missing_oversized_or_symlinked_submission_json_is_ignored(course, tmp_path_factory):
    """Are a folder without submission.json, one with a huge one, and one whose submission.json is a symlink
    ignored?"""
    box = course / "team_inbound"
    (_submit(box, tag="00000001") / "submission.json").unlink()
    big = _submit(box, tag="00000002")
    (big / "submission.json").write_text(json.dumps({"pad": "x" * team_work.MAX_META_BYTES}), encoding="utf-8")
    real = _submit(tmp_path_factory.mktemp("elsewhere"), tag="00000003") / "submission.json"
    link = _submit(box, tag="00000004")
    (link / "submission.json").unlink()
    (link / "submission.json").symlink_to(real)
    fifo = _submit(box, tag="00000005")
    (fifo / "submission.json").unlink()
    os.mkfifo(fifo / "submission.json")  # must not hang the reader
    assert team_work.submissions(course, _uids({TEAM: ME})) == {}


def test_temporary_and_odd_names_and_symlinked_folders_are_ignored(course, tmp_path_factory):
    """Are a folder still being written (temporary name), odd names, plain files and a symlink to a real submission
    folder all ignored?"""
    box = course / "team_inbound"
    elsewhere = _submit(tmp_path_factory.mktemp("elsewhere"))
    (box / f"{TEAM}+20261207T183006+0a1b2c3e").symlink_to(elsewhere, target_is_directory=True)
    partial = _submit(box)
    partial.rename(box / f".{partial.name}.partial")
    for odd in (f"{TEAM}+20261207T183005", f"{TEAM}+x+0a1b2c3d", "team-zz+20261207T183005+0a1b2c3d"):
        _submit(box / "odd", tag="0a1b2c3d").rename(box / odd)
    (box / f"{TEAM}+20261207T183007+0a1b2c3f").write_text("{}", encoding="utf-8")
    assert team_work.submissions(course, _uids({TEAM: ME})) == {}
    assert team_work.submissions(course / "missing", _uids({TEAM: ME})) == {}


def test_only_listed_real_notebooks_are_files_of_a_submission(course, tmp_path):
    """Are unlisted files, symlinks, missing files and unsafe names left out of a submission's files?"""
    secret = tmp_path / "secret.ipynb"
    secret.write_bytes(_nb([{"cell_type": "markdown", "metadata": {}, "source": "secret"}]))
    folder = _submit(
        course / "team_inbound",
        files={NB: _nb([]), "extra.ipynb": _nb([])},
        meta={
            "team_user": TEAM,
            "team": "1班",
            "submitted_by": "x",
            "submitted_at": "2026-12-07T18:30:05+09:00",
            "files": [NB, "link.ipynb", "gone.ipynb", "../secret.ipynb", ".hidden.ipynb", "notes.md", NB, 3],
        },
    )
    (folder / "link.ipynb").symlink_to(secret)
    (folder / ".hidden.ipynb").write_bytes(_nb([]))
    (folder / "notes.md").write_text("x", encoding="utf-8")
    [sub] = team_work.submissions(course, _uids({TEAM: ME}))[TEAM]
    assert sub.files == (NB,)
    forged = team_work.Submission(TEAM, "1班", folder.name, folder, sub.submitted_at, "x", (NB, "link.ipynb"))
    assert {p.notebook for p in team_work.deliverable_parts(forged)} <= {NB}  # the symlink is never read


def _cells():
    png = base64.b64encode(PNG).decode()
    fake = base64.b64encode(b"<svg>not a png</svg>").decode()
    return [
        {"cell_type": "markdown", "metadata": {}, "source": ["# 見出し\n", "説明"]},
        {"cell_type": "markdown", "metadata": {"testbed_workshop": {"deliverable": True}}, "source": "**成果物** 本文"},
        {
            "cell_type": "code",
            "metadata": {"testbed_workshop": {"deliverable": True}},
            "source": "print(1)",
            "execution_count": 1,
            "outputs": [
                {"output_type": "stream", "name": "stdout", "text": ["1\n"]},
                {"output_type": "display_data", "metadata": {}, "data": {"image/png": png, "text/plain": "<Figure>"}},
                {"output_type": "display_data", "metadata": {}, "data": {"image/png": fake, "text/plain": "偽物"}},
                {"output_type": "execute_result", "metadata": {}, "execution_count": 1, "data": {"text/plain": "42"}},
                {"output_type": "error", "ename": "ValueError", "evalue": "だめ", "traceback": []},
            ],
        },
        {"cell_type": "raw", "metadata": {"testbed_workshop": {"deliverable": True}}, "source": "raw"},
    ]


def test_deliverable_parts_are_the_marked_cells_with_outputs_and_images(course):
    """Are only the marked cells read, with their text outputs and real PNG images (a fake PNG falls back to
    text)?"""
    _submit(course / "team_inbound", files={NB: _nb(_cells())})
    [sub] = team_work.submissions(course, _uids({TEAM: ME}))[TEAM]
    parts = team_work.deliverable_parts(sub)
    assert [(p.kind, p.text) for p in parts] == [
        ("markdown", "**成果物** 本文"),
        ("code", "print(1)"),
        ("output", "1\n"),
        ("image", ""),
        ("output", "偽物"),
        ("output", "42"),
        ("output", "ValueError: だめ"),
    ]
    assert parts[3].png == PNG and all(p.notebook == NB for p in parts)


def test_a_notebook_marking_nothing_gives_all_its_cells(course):
    """Does a notebook with no marked cell give every markdown and code cell, in order?"""
    cells = [{**c, "metadata": {}} for c in _cells()]
    _submit(course / "team_inbound", files={NB: _nb(cells), "b.ipynb": b"not json", "c.ipynb": b"{}"})
    [sub] = team_work.submissions(course, _uids({TEAM: ME}))[TEAM]
    parts = team_work.deliverable_parts(sub)
    assert [p.kind for p in parts][:3] == ["markdown", "markdown", "code"]
    assert {p.notebook for p in parts} == {NB}


def test_an_oversized_notebook_is_left_out(course):
    """Is a notebook above max_bytes left out while a small one is read?"""
    small = _nb([{"cell_type": "markdown", "metadata": {}, "source": "小"}])
    big = _nb([{"cell_type": "markdown", "metadata": {}, "source": "大" * 1000}])
    _submit(course / "team_inbound", files={"small.ipynb": small, "big.ipynb": big})
    [sub] = team_work.submissions(course, _uids({TEAM: ME}))[TEAM]
    parts = team_work.deliverable_parts(sub, max_bytes=len(small) + 10)
    assert [(p.notebook, p.text) for p in parts] == [("small.ipynb", "小")]


def test_deliverable_parts_refuse_a_folder_whose_owner_changed(course):
    """Does reading the parts stop when the folder is no longer owned by the account it was read as?"""
    _submit(course / "team_inbound", files={NB: _nb(_cells())})
    [sub] = team_work.submissions(course, _uids({TEAM: ME}))[TEAM]
    moved = team_work.Submission(**{**sub.__dict__, "owner_uid": OTHER})
    assert team_work.deliverable_parts(moved) == []
    assert team_work.deliverable_parts(sub) != []
