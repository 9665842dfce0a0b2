"""A fresh copy of an assignment (配布時の状態に戻す) without a hub: names, refusals, the plan of a restore; and the
console's help and announcement pages touched with it (one banner, a withdraw button for instructors only)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from classroom import announcements, console_page, fresh_copy, help
from classroom.store import Store

pytestmark = pytest.mark.unit

T0 = datetime(2026, 12, 6, 23, 30, 5, tzinfo=UTC)  # 2026-12-07 08:30:05 in Japan


class FakeServer:
    """A trainee's contents API in memory: path -> bytes, folders implied by their files."""

    user = "yamada"

    def __init__(self, files: dict[str, bytes], folders: set[str]):
        self.files, self.folders, self.calls = dict(files), set(folders), []

    def listing(self, folder):
        if folder not in self.folders:
            return None
        out = {p.rsplit("/", 1)[1]: "file" for p in self.files if p.rsplit("/", 1)[0] == folder}
        out |= {p.rsplit("/", 1)[1]: "directory" for p in self.folders if p.rsplit("/", 1)[0] == folder}
        return out

    def read(self, path):
        return self.files[path]

    def rename(self, path, new):
        self.calls.append(("rename", path, new))
        self.files[new] = self.files.pop(path)

    def write(self, path, data):
        self.calls.append(("write", path))
        self.files[path] = data

    def mkdir(self, path):
        self.calls.append(("mkdir", path))
        self.folders.add(path)


def test_the_trainees_version_is_kept_aside_with_a_japan_time_stamp():
    """Is the old file renamed in the same folder with the Japan-time stamp (+9 h), never over another file?"""
    assert fresh_copy.aside_path("odtb/01/01.ipynb", T0, set()) == "odtb/01/01_退避_20261207-083005.ipynb"
    taken = {"odtb/01/01_退避_20261207-083005.ipynb"}
    assert fresh_copy.aside_path("odtb/01/01.ipynb", T0, taken) == "odtb/01/01_退避_20261207-083005-2.ipynb"


@pytest.mark.parametrize("name", ["../01", "01/../02", "/etc", "~root", "", "01/x", ".hidden", "99"])
def test_an_unknown_assignment_or_a_path_trick_is_refused_in_japanese(name):
    with pytest.raises(fresh_copy.Refused) as e:
        fresh_copy.check_assignment(name, ["01", "02"])
    assert "配布されていません" in str(e.value)


def test_restore_keeps_changed_files_aside_and_writes_the_release():
    """Are changed files renamed aside, missing ones written, identical and extra ones left alone?"""
    server = FakeServer(
        {"odtb/01/01.ipynb": b"mine", "odtb/01/data.csv": b"a,b", "odtb/01/extra.txt": b"x"},
        {"odtb", "odtb/01"},
    )
    release = {"01.ipynb": b"released", "data.csv": b"a,b", "sub/more.csv": b"m"}
    r = fresh_copy.restore(server, course="odtb", assignment="01", files=release, at=T0)
    assert r.kept == [("odtb/01/01.ipynb", "odtb/01/01_退避_20261207-083005.ipynb")]
    assert r.unchanged == ["odtb/01/data.csv"] and sorted(r.restored) == ["odtb/01/01.ipynb", "odtb/01/sub/more.csv"]
    assert server.files["odtb/01/01.ipynb"] == b"released"
    assert server.files["odtb/01/01_退避_20261207-083005.ipynb"] == b"mine"
    assert server.files["odtb/01/extra.txt"] == b"x" and server.files["odtb/01/sub/more.csv"] == b"m"
    assert "退避" in fresh_copy.summary(r)


def test_an_assignment_never_fetched_is_refused_with_nothing_changed():
    server = FakeServer({}, {"odtb"})
    with pytest.raises(fresh_copy.Refused) as e:
        fresh_copy.restore(server, course="odtb", assignment="01", files={"01.ipynb": b"r"}, at=T0)
    assert "まだ課題「01」を取得していません" in str(e.value) and server.calls == []


def test_released_files_skip_hidden_files(tmp_path):
    root = tmp_path / "outbound" / "01"
    (root / ".ipynb_checkpoints").mkdir(parents=True)
    (root / ".ipynb_checkpoints" / "01-checkpoint.ipynb").write_text("x")
    (root / "01.ipynb").write_text("nb")
    assert fresh_copy.released(tmp_path) == ["01"]
    assert fresh_copy.released_files(tmp_path, "01") == {"01.ipynb": b"nb"}


def test_the_trainee_page_offers_a_fresh_copy_only_before_submitting():
    """Does a trainee get the link only for a fetched, unsubmitted assignment, and an instructor for any fetched?"""
    cells = {"01": {"fetched": True}, "02": {"fetched": True, "submitted": True}, "03": {}}
    row = {"username": "yamada", "fullname": "山田", "dept": "", "cohort": "", "assignments": cells}
    row["completion"] = {"completed": False}
    view = {"assignments": ["01", "02", "03"], "pass_ratio": 0.6, "instructor": False, "course": "odtb"}
    own = console_page.trainee(view, row, {}, fresh=True)
    assert own.count('class="fresh"') == 1 and "fresh?user=yamada&amp;assignment=01" in own
    teacher = console_page.trainee({**view, "instructor": True}, row, {}, fresh=True)
    assert teacher.count('class="fresh"') == 2


def test_the_help_page_shows_one_banner_after_raising_a_hand(tmp_path):
    """After raising a hand, does the trainee see one banner (not 'raised' and 'waiting' twice)?"""
    store = Store(tmp_path / "c.sqlite")
    mine = [store.raise_hand("yamada", "", "", at=T0)]
    html = help.trainee_page(
        course="odtb",
        viewer="yamada",
        mine=mine,
        notebooks=[],
        xsrf="",
        now=T0,
        info="手を挙げました。講師の画面に表示されています。",
    )
    assert html.count('class="msg"') == 1 and "手を挙げました" in html and "お待ちください" in html
    again = help.trainee_page(course="odtb", viewer="yamada", mine=mine, notebooks=[], xsrf="", now=T0)
    assert again.count('class="msg"') == 1 and "手を挙げています" in again


def test_only_the_instructors_list_has_a_withdraw_button(tmp_path):
    store = Store(tmp_path / "c.sqlite")
    a = store.announce("teacher", "お知らせ", "", at=T0)
    xsrf = '<input type="hidden" name="_xsrf" value="x">'
    teacher = announcements.page(course="odtb", items=[a], instructor=True, cohorts=[], xsrf=xsrf)
    trainee = announcements.page(course="odtb", items=[a], instructor=False, cohorts=[], xsrf=xsrf)
    assert f'action="announcements/{a.id}/delete"' in teacher and "取り下げる" in teacher
    assert "delete" not in trainee and "取り下げる" not in trainee
    assert "取り下げる" not in announcements.embed("odtb", [a], "/services/progress-odtb/")
