"""班の成果物の提出 against the real stack: a member submits the team's notebooks from the team workspace's page; the
folder lands in the course's team drop box owned by the team's account and names the member; a member of another team
is refused; a folder planted by a trainee is not taken for the team's; bad input writes nothing."""

from __future__ import annotations

import html
import json
import os
import pwd
import re
import secrets
import shutil
import stat
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from helpers.progress import login
from helpers.teams import teams_of, wait_ready

from classroom import team_work
from hub_config import teams
from testbed_config.names import TEAM_INBOUND

pytestmark = pytest.mark.integration

MEMO = "班のメモ.ipynb"
SESSION4 = "第4回_仮説と次の一手.ipynb"


def _notebook(text: str) -> dict:
    cell = {"cell_type": "markdown", "metadata": {"testbed_workshop": {"deliverable": True}}, "source": text}
    return {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}


def _page_url(hub, ws: str) -> str:
    return f"{hub.public}/user/{ws}/{teams.SUBMIT_ROUTE}"


def _open(s: requests.Session, hub, ws: str) -> requests.Response:
    """GET the page as a signed-in person: the hub's OAuth, and its one-time permission page for a shared server."""
    r = s.get(_page_url(hub, ws), timeout=60)
    if r.status_code == 200 and "/hub/api/oauth2/authorize" in r.url:
        form = r.text[r.text.index("<form") : r.text.index("</form>")]
        fields = [
            (html.unescape(n), html.unescape(v))
            for n, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
        ]
        r = s.post(r.url, data=fields, timeout=60)
    r.encoding = "utf-8"
    return r


def _post(s: requests.Session, hub, ws: str, page: requests.Response, files: list[str]) -> requests.Response:
    """Submit the page's form (its XSRF token) with ``files`` chosen."""
    xsrf = html.unescape(re.search(r'name="_xsrf" value="([^"]+)"', page.text).group(1))
    r = s.post(_page_url(hub, ws), data=[("_xsrf", xsrf), *(("file", f) for f in files)], timeout=60)
    r.encoding = "utf-8"
    return r


def _box(layout, course: str):
    return layout.exchange / course / TEAM_INBOUND


def _entries(layout, course: str, ws: str) -> list[str]:
    """Everything of the team in the drop box, finished or not (the test runs as root: it may list it)."""
    return sorted(n for n in os.listdir(_box(layout, course)) if ws in n)


def _owner_uid(layout):
    def uid(team_user: str) -> int | None:
        try:
            return pwd.getpwnam(layout.cfg.unix_user_prefix + team_user).pw_uid
        except KeyError:
            return None

    return uid


@pytest.fixture(scope="module")
def two_teams(hub, layout, stack_config):
    """Two teams of real trainees: a and b in one, c in the other; their passwords; the first team's folder has a
    notebook of its own. Removed afterwards (the workspaces and whatever they submitted)."""
    course = stack_config.courses[0].id
    tag = secrets.token_hex(3)
    a, b, c = f"sa{tag}", f"sb{tag}", f"sc{tag}"
    one, two = f"提出{tag}班", f"他{tag}班"
    pw = {u: f"pw-{u}-{secrets.token_hex(4)}" for u in (a, b, c)}
    people = {a: ("提出 一子", pw[a], one), b: ("提出 二子", pw[b], one), c: ("他班 三子", pw[c], two)}
    with teams_of(hub, layout, course, people) as made:
        ws = made[one]
        try:
            wait_ready(hub, ws)
            r = requests.put(
                f"{hub.public}/user/{ws}/api/contents/{quote(MEMO)}",
                headers={"Authorization": f"token {hub.token}"},
                data=json.dumps({"type": "notebook", "content": _notebook("**班の成果物** 避難所の収容力")}),
                timeout=30,
            )
            assert r.status_code in (200, 201), r.text
            yield {"course": course, "ws": ws, "other": made[two], "a": a, "b": b, "c": c, "pw": pw, "team": one}
        finally:
            for name in _entries(layout, course, ws) + _entries(layout, course, made[two]):
                shutil.rmtree(_box(layout, course) / name, ignore_errors=True)


def test_a_member_submits_the_teams_notebooks_once_for_the_team(hub, layout, two_teams):
    """Does a member's submission land in the drop box as one folder owned by the team's account (0755, files 0644
    identical to the team folder's), with submission.json naming the member, and does the grader side read it?"""
    t = two_teams
    ws, a = t["ws"], t["a"]
    out = hub.run_code(ws, "import os; print(os.environ.get('TESTBED_TEAM_COURSE'), os.environ.get('TESTBED_TEAM'))")
    assert out["stdout"].split() == [t["course"], t["team"]], out  # the spawner named the team's course

    s = login(hub, a, t["pw"][a])
    page = _open(s, hub, ws)
    assert page.status_code == 200, (page.status_code, page.url, page.text[:500])
    assert "班の成果物の提出" in page.text and "この内容で提出する" in page.text and "まだ提出していません" in page.text
    boxes = dict(re.findall(r'<input type="checkbox" name="file" value="([^"]+)"( checked)?', page.text))
    assert boxes[SESSION4] == " checked" and boxes[MEMO] == "", boxes  # the session notebooks checked by default

    before = _entries(layout, t["course"], ws)
    done = _post(s, hub, ws, page, [SESSION4, MEMO])
    assert done.status_code == 200 and "提出しました" in done.text, done.text[:1000]
    [folder] = sorted(set(_entries(layout, t["course"], ws)) - set(before))
    assert re.fullmatch(rf"{ws}\+\d{{8}}T\d{{6}}\+[0-9a-f]{{8}}", folder), folder

    path = _box(layout, t["course"]) / folder
    unix = pwd.getpwnam(layout.cfg.unix_user_prefix + ws)
    st = os.stat(path, follow_symlinks=False)
    assert st.st_uid == unix.pw_uid and stat.S_IMODE(st.st_mode) == 0o755
    assert sorted(os.listdir(path)) == sorted([SESSION4, MEMO, "submission.json"])
    for name in (SESSION4, MEMO):
        fst = os.stat(path / name, follow_symlinks=False)
        assert fst.st_uid == unix.pw_uid and stat.S_IMODE(fst.st_mode) == 0o644
        assert (path / name).read_bytes() == (Path(unix.pw_dir) / name).read_bytes()
    meta = json.loads((path / "submission.json").read_text(encoding="utf-8"))
    assert meta["team_user"] == ws and meta["team"] == t["team"] and meta["submitted_by"] == a
    assert meta["files"] == [SESSION4, MEMO] and meta["submitted_at"].endswith("+09:00")

    [sub] = team_work.submissions(layout.exchange / t["course"], _owner_uid(layout))[ws]
    assert (sub.name, sub.submitted_by, sub.files) == (folder, a, (SESSION4, MEMO))
    parts = team_work.deliverable_parts(sub)
    assert any(p.notebook == MEMO and "避難所の収容力" in p.text for p in parts)

    # the other member sees it among the earlier submissions, by whom
    s_b = login(hub, t["b"], t["pw"][t["b"]])
    again = _open(s_b, hub, ws)
    assert again.status_code == 200 and "これまでの提出" in again.text
    assert f"<td>提出 一子 ({a})</td>" in again.text and "まだ提出していません" not in again.text
    assert "提出する人: <strong>提出 二子 (" in again.text


def test_a_member_of_another_team_is_refused(hub, layout, two_teams):
    """Does a trainee of another team get 403 for the page and for a POST, signed in or with their own token, and is
    nothing written?"""
    t = two_teams
    ws, c = t["ws"], t["c"]
    before = _entries(layout, t["course"], ws)
    s = login(hub, c, t["pw"][c])
    assert _open(s, hub, ws).status_code == 403
    r = s.post(_page_url(hub, ws), data={"file": SESSION4}, timeout=60, allow_redirects=False)
    assert r.status_code == 403, r.status_code
    token = hub.user_token(c)
    headers = {"Authorization": f"token {token}"}
    assert requests.get(_page_url(hub, ws), headers=headers, timeout=60).status_code == 403
    assert requests.post(_page_url(hub, ws), headers=headers, data={"file": SESSION4}, timeout=60).status_code == 403
    assert _entries(layout, t["course"], ws) == before


def test_the_team_account_itself_cannot_submit(hub, layout, two_teams):
    """Is the team server's own token (which code in the workspace can read) refused: the person recorded is always
    a signed-in member, never the team account?"""
    t = two_teams
    ws = t["ws"]
    code = f"""
import os, requests
url = os.environ["JUPYTERHUB_SERVICE_URL"].rstrip("/") + "/{teams.SUBMIT_ROUTE}"
h = {{"Authorization": "token " + os.environ["JUPYTERHUB_API_TOKEN"]}}
print(requests.get(url, headers=h, timeout=30).status_code, requests.post(url, headers=h, data={{"file": "x.ipynb"}},
      timeout=30).status_code)
"""
    before = _entries(layout, t["course"], ws)
    out = hub.run_code(ws, code)
    assert out["stdout"].split() == ["403", "403"], out
    assert _entries(layout, t["course"], ws) == before


def test_a_folder_planted_by_a_trainee_is_not_the_teams(hub, layout, two_teams):
    """Is a complete-looking submission folder that a trainee's own code plants in team_inbound, naming the team,
    ignored by the grader side (it is not owned by the team's account)?"""
    t = two_teams
    ws, c = t["ws"], t["c"]
    hub.start_server(c)
    forged = f"{ws}+20261207T235959+{secrets.token_hex(4)}"
    code = f"""
import json, os
d = os.path.join({str(_box(layout, t["course"]))!r}, {forged!r})
os.mkdir(d, 0o755)
open(os.path.join(d, {SESSION4!r}), "w").write(json.dumps({_notebook("偽物")!r}))
json.dump({{"team_user": {ws!r}, "team": "x", "submitted_by": {t["a"]!r},
           "submitted_at": "2026-12-07T23:59:59+09:00", "files": [{SESSION4!r}]}},
          open(os.path.join(d, "submission.json"), "w"))
os.chmod(d, 0o755)
print("planted")
"""
    out = hub.run_code(c, code)
    assert out["stdout"].strip() == "planted", out
    planter = pwd.getpwnam(layout.cfg.unix_user_prefix + c).pw_uid
    assert os.stat(_box(layout, t["course"]) / forged).st_uid == planter
    # complete and well-formed: only its owner tells it from the team's own
    assert team_work.read_folder(_box(layout, t["course"]) / forged, ws, planter) is not None
    subs = team_work.submissions(layout.exchange / t["course"], _owner_uid(layout)).get(ws, [])
    assert forged not in {s.name for s in subs}
    latest = team_work.latest(layout.exchange / t["course"], _owner_uid(layout)).get(ws)
    assert latest is None or latest.name != forged


@pytest.mark.parametrize(
    ("files", "says"),
    [
        (["../etc/passwd.ipynb"], "提出できない名前です"),
        (["sub/x.ipynb"], "提出できない名前です"),
        (["ない.ipynb"], "班のフォルダーにありません"),
        ([], "1つ以上選んでください"),
        (["大きすぎる.ipynb"], "大きすぎるため提出できません"),
    ],
)
def test_bad_input_is_refused_in_japanese_and_nothing_is_written(hub, layout, two_teams, files, says):
    """Does a name with '/', a missing notebook, no choice or an oversized notebook get a Japanese message (400), with
    nothing written to the drop box?"""
    t = two_teams
    ws, a = t["ws"], t["a"]
    if "大きすぎる.ipynb" in files:  # 21 MB, above the 20 MB limit
        out = hub.run_code(ws, "open('大きすぎる.ipynb', 'w').write('{\"x\": \"' + 'a' * 21_000_000 + '\"}')")
        assert out["error"] is None, out
    try:
        s = login(hub, a, t["pw"][a])
        page = _open(s, hub, ws)
        before = _entries(layout, t["course"], ws)
        r = _post(s, hub, ws, page, files)
        assert r.status_code == 400 and says in r.text and "提出はしていません" in r.text, r.text[:1000]
        assert "提出しました" not in r.text
        assert _entries(layout, t["course"], ws) == before  # no folder, no temporary folder left
    finally:
        if "大きすぎる.ipynb" in files:
            hub.run_code(ws, "import os; os.remove('大きすぎる.ipynb')")
