"""班の成果物の提出: a team submits its workshop deliverable once per team, from its shared team workspace.

A Jupyter server extension, enabled in team servers only (``teams.team_submit_config``, written into the team config
directory by ``testbed_cli/hub.py``), reached from the launcher tile 「班の成果物を提出」 (``launcher_links.py``).
``GET <base_url>testbed/team-submit`` lists the notebooks at the top of the team folder (the workshop kit's session
notebooks checked); ``POST`` (with the XSRF token of the form) copies the chosen ones into the course's drop box
``<exchange>/<course>/team_inbound/<team user>+<YYYYMMDDTHHMMSS>+<8 hex>/`` with ``submission.json`` naming the
member who pressed the button. The server runs as the team's Unix account, so the folder is owned by it, which is
what the grader side checks (``classroom/team_work.py``). The folder is written under a temporary name and renamed
when complete. The drop box cannot be listed by the team (3733), so the team's own list of its submissions is kept in
its folder (``.testbed/team-submissions.json``) to show the earlier ones.

Who may open it is the hub's business (the team server is shared with the team's members and the course's
instructors); the person recorded is the signed-in hub user, never the team account itself. Settings come from the
spawner's environment (``teams.TEAM_ENV``, ``teams.COURSE_ENV``, ``TESTBED_EXCHANGE``, ``TESTBED_WORKSHOP``,
``JUPYTERHUB_USER``), read once into a ``TeamSubmit`` configurable.
"""

from __future__ import annotations

import html
import json
import os
import secrets
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from tornado import web
from traitlets import Int, Unicode, default
from traitlets.config import Configurable

from hub_config import teams
from testbed_config import japan_time
from testbed_config.names import TEAM_INBOUND, TEAM_SUBMISSION_META

RECORD = ".testbed/team-submissions.json"  # in the team folder: the team's own list of its submissions
ICON = Path(__file__).resolve().with_name("team_submit.svg")


class TeamSubmit(Configurable):
    """Where and what a team server submits (defaults from the spawner's environment)."""

    team_user = Unicode(help="The team's hub user (the server's owner).").tag(config=True)
    team = Unicode(help="The team's name (班) as the roster spells it.").tag(config=True)
    course = Unicode(help="The course whose drop box receives the team's deliverable; '': unknown.").tag(config=True)
    exchange_root = Unicode(help="nbgrader's exchange root.").tag(config=True)
    kit_dir = Unicode(help="The workshop kit (its notebooks are checked by default).").tag(config=True)
    max_file_bytes = Int(20_000_000, help="Largest notebook accepted.").tag(config=True)
    max_total_bytes = Int(60_000_000, help="Largest submission accepted (all its notebooks).").tag(config=True)
    max_files = Int(30, help="Most notebooks in one submission.").tag(config=True)

    @default("team_user")
    def _team_user(self):
        return os.environ.get("JUPYTERHUB_USER", "")

    @default("team")
    def _team(self):
        return os.environ.get(teams.TEAM_ENV, "")

    @default("course")
    def _course(self):
        return os.environ.get(teams.COURSE_ENV, "")

    @default("exchange_root")
    def _exchange_root(self):
        return os.environ.get("TESTBED_EXCHANGE", "")

    @default("kit_dir")
    def _kit_dir(self):
        return os.environ.get("TESTBED_WORKSHOP", "")


class Refused(Exception):
    """A submission that cannot be made; its message is Japanese, for the page."""


@dataclass(frozen=True)
class Notebook:
    name: str
    size: int


def valid_name(name: str) -> bool:
    """A notebook name at the top of the team folder: ``.ipynb``, not hidden, no path, no control characters."""
    return (
        name.endswith(".ipynb")
        and len(name) > len(".ipynb")
        and not name.startswith(".")
        and "/" not in name
        and "\\" not in name
        and not any(ord(c) < 32 or ord(c) == 127 for c in name)
        and len(name.encode("utf-8", "surrogatepass")) <= 255
    )


def notebooks(root: str) -> list[Notebook]:
    """The notebooks at the top of the team folder: regular files only (a symlink is not listed)."""
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    out = []
    for e in entries:
        try:
            if valid_name(e.name) and e.is_file(follow_symlinks=False):
                out.append(Notebook(e.name, e.stat(follow_symlinks=False).st_size))
        except OSError:
            continue
    return sorted(out, key=lambda n: n.name)


def kit_notebooks(kit_dir: str) -> set[str]:
    """The workshop kit's notebooks (the four session notebooks): checked by default."""
    try:
        return {n for n in os.listdir(kit_dir) if valid_name(n)} if kit_dir else set()
    except OSError:
        return set()


def drop_box(conf: TeamSubmit) -> Path:
    """The course's team drop box; Refused when the team has no course or the box is missing."""
    if not conf.course:
        raise Refused("この班の研修コースが名簿からわかりません。講師に連絡してください。")
    box = Path(conf.exchange_root) / conf.course / TEAM_INBOUND
    if not conf.exchange_root or not box.is_dir():
        raise Refused("提出先のフォルダーが用意されていません。講師に連絡してください。")
    return box


def _copy(root_fd: int, name: str, dest: Path, limit: int) -> None:
    """Copy regular file ``name`` of the team folder into ``dest`` (0644); never through a symlink, at most ``limit``
    bytes (a file growing past the limit while copied is refused too)."""
    try:
        src = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=root_fd)
    except OSError:
        raise Refused(f"「{name}」を開けませんでした。ファイルがあるか確かめてください。") from None
    try:
        if not stat.S_ISREG(os.fstat(src).st_mode):
            raise Refused(f"「{name}」は普通のファイルではないため、提出できません。")
        out = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(out, "wb") as w:
            copied = 0
            while chunk := os.read(src, 1 << 20):
                copied += len(chunk)
                if copied > limit:
                    raise Refused(too_big(name, limit))
                w.write(chunk)
            os.fchmod(w.fileno(), 0o644)
    finally:
        os.close(src)


def too_big(name: str, limit: int) -> str:
    return (
        f"「{name}」は大きすぎるため提出できません ({limit // 1_000_000} MB まで)。"
        "大きな出力や画像を減らしてから提出してください。"
    )


def check(conf: TeamSubmit, root: str, chosen: list[str]) -> list[Notebook]:
    """The chosen notebooks as found in the team folder; Refused (Japanese) when any is wrong."""
    if not chosen:
        raise Refused("提出するノートブックを1つ以上選んでください。")
    if len(chosen) > conf.max_files:
        raise Refused(f"一度に提出できるノートブックは {conf.max_files} 個までです。")
    bad = [n for n in chosen if not valid_name(n)]
    if bad:
        raise Refused(f"提出できない名前です: 「{bad[0]}」。班のフォルダーの一番上にあるノートブックを選んでください。")
    found = {n.name: n for n in notebooks(root)}
    missing = [n for n in chosen if n not in found]
    if missing:
        raise Refused(
            f"「{missing[0]}」が班のフォルダーにありません。名前を変えたか消した場合は、ページを開き直してください。"
        )
    picked = [found[n] for n in dict.fromkeys(chosen)]
    for n in picked:
        if n.size > conf.max_file_bytes:
            raise Refused(too_big(n.name, conf.max_file_bytes))
    if sum(n.size for n in picked) > conf.max_total_bytes:
        raise Refused(f"選んだノートブックの合計が大きすぎます ({conf.max_total_bytes // 1_000_000} MB まで)。")
    return picked


def submit(conf: TeamSubmit, root: str, chosen: list[str], person: str, shown_as: str = "") -> dict:
    """Copy the chosen notebooks into the drop box as one submission folder; its record (as in submission.json).
    Nothing is left in the drop box when it fails (Refused, Japanese). ``shown_as``: the person's 氏名, kept in the
    team's own list only."""
    box = drop_box(conf)
    picked = check(conf, root, chosen)
    now = japan_time.now().replace(microsecond=0)
    name = f"{conf.team_user}+{now:%Y%m%dT%H%M%S}+{secrets.token_hex(4)}"
    tmp = box / f".{name}.partial"  # not a submission's name: the grader side skips it
    record = {
        "team_user": conf.team_user,
        "team": conf.team,
        "submitted_by": person,
        "submitted_at": now.isoformat(),
        "files": [n.name for n in picked],
    }
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.mkdir(tmp, 0o755)
        os.chmod(tmp, 0o755)  # no setgid bit from the drop box
        for n in picked:
            _copy(root_fd, n.name, tmp / n.name, conf.max_file_bytes)
        meta = os.open(tmp / TEAM_SUBMISSION_META, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
        with os.fdopen(meta, "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, indent=1)
            os.fchmod(f.fileno(), 0o644)
        os.rename(tmp, box / name)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise Refused("提出先に書き込めませんでした。もう一度試し、直らなければ講師に連絡してください。") from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    finally:
        os.close(root_fd)
    remember(root, {**record, "name": name, "shown_as": shown_as})
    return record


def history(root: str) -> list[dict]:
    """The team's earlier submissions, newest first, from its own record (entries that do not parse are skipped)."""
    try:
        data = json.loads((Path(root) / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    items = data.get("submissions") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    out = []
    for it in items:
        at = japan_time.parse_utc_text(it.get("submitted_at")) if isinstance(it, dict) else None
        files = it.get("files") if at else None
        if at and isinstance(it.get("submitted_by"), str) and isinstance(files, list):
            by = who(it["submitted_by"], it.get("shown_as") if isinstance(it.get("shown_as"), str) else "")
            out.append({"at": at, "by": by, "files": [str(f) for f in files]})
    return sorted(out, key=lambda i: i["at"], reverse=True)


def who(user: str, shown_as: str = "") -> str:
    """How a person is named on the page: 氏名 (hub user), or the hub user alone."""
    return f"{shown_as} ({user})" if shown_as and shown_as != user else user


def remember(root: str, record: dict) -> None:
    """Add a submission to the team's own record (best effort: the submission itself is already made)."""
    path = Path(root) / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        items = data.get("submissions") if isinstance(data, dict) else None
        items = items if isinstance(items, list) else []
    except (OSError, ValueError):
        items = []
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        tmp.write_text(json.dumps({"submissions": [*items, record]}, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass


# the page --------------------------------------------------------------------------------------------------------

STYLE = """
body { font-family: "Noto Sans CJK JP", "IPAexGothic", "Yu Gothic", "Meiryo", sans-serif; margin: 2em auto;
  max-width: 46em; padding: 0 1em; color: #212121; line-height: 1.6; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 2em; }
.ok { background: #e8f5e9; border-left: 6px solid #2e7d32; padding: .6em 1em; }
.error { background: #ffebee; border-left: 6px solid #c62828; padding: .6em 1em; }
label { display: block; padding: .2em 0; } .size { color: #616161; font-size: .9em; }
button { font-size: 1.05em; padding: .5em 1.4em; margin-top: 1em; background: #1565c0; color: #fff; border: 0;
  border-radius: 4px; cursor: pointer; }
table { border-collapse: collapse; } td:first-child { white-space: nowrap; }
td, th { border: 1px solid #bdbdbd; padding: .3em .6em; text-align: left; }
"""


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{max(1, n // 1000)} KB"


def page(
    *,
    team: str,
    person: str,
    files: list[Notebook],
    checked: set[str],
    earlier: list[dict],
    xsrf: str,
    lab_url: str,
    done: dict | None = None,
    error: str = "",
    blocked: str = "",
) -> str:
    """The Japanese page (every name escaped)."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>",
        '<html lang="ja"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
        "<title>班の成果物の提出</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>班の成果物の提出</h1>",
        f"<p>班: <strong>{e(team or '(名前なし)')}</strong>　提出する人: <strong>{e(person)}</strong></p>",
    ]
    if done:
        at = japan_time.japanese(japan_time.parse_utc_text(done["submitted_at"]))
        listed = "".join(f"<li>{e(f)}</li>" for f in done["files"])
        parts.append(f'<div class="ok" role="status"><p><strong>提出しました</strong>（{e(at)}）</p><ul>{listed}</ul>')
        parts.append("<p>直したあとでもう一度提出すると、新しいものが採点の対象になります。</p></div>")
    if error:
        parts.append(f'<div class="error" role="alert"><p>{e(error)}</p><p>提出はしていません。</p></div>')
    if blocked:
        parts.append(f'<div class="error" role="alert"><p>{e(blocked)}</p></div>')
    elif not files:
        parts.append("<p>班のフォルダーにノートブックがありません。</p>")
    else:
        parts += [
            "<p>提出するノートブックを選び、「この内容で提出する」を押してください。班で1回提出すれば十分です"
            "（誰が押しても班の提出になります）。提出したあとも直せます。もう一度提出すると、新しいものが採点の対象です。</p>",
            '<form method="post">',
            xsrf,
            "<fieldset><legend>班のフォルダーのノートブック</legend>",
        ]
        for n in files:
            on = " checked" if n.name in checked else ""
            parts.append(
                f'<label><input type="checkbox" name="file" value="{e(n.name)}"{on}> {e(n.name)} '
                f'<span class="size">({_size(n.size)})</span></label>'
            )
        parts += ["</fieldset>", '<button type="submit">この内容で提出する</button>', "</form>"]
    parts.append("<h2>これまでの提出</h2>")
    if earlier:
        parts.append("<table><tr><th>日時 (日本時間)</th><th>提出した人</th><th>ノートブック</th></tr>")
        for it in earlier:
            parts.append(
                f"<tr><td>{e(japan_time.japanese(it['at']))}</td><td>{e(it['by'])}</td>"
                f"<td>{e('、'.join(it['files']))}</td></tr>"
            )
        parts.append("</table>")
    else:
        parts.append("<p>まだ提出していません。</p>")
    parts.append(f'<p><a href="{e(lab_url)}">班の作業場所 (JupyterLab) に戻る</a></p></body></html>')
    return "\n".join(parts)


class TeamSubmitHandler(JupyterHandler):
    """GET: the page; POST: make the submission (XSRF-checked by the server, as every form post)."""

    def initialize(self, conf: TeamSubmit):
        self.conf = conf

    @property
    def root(self) -> str:
        return os.path.expanduser(self.settings.get("server_root_dir") or "~")

    def person(self) -> str:
        """The signed-in hub user; 403 for the team account itself (a token of the team server, not a person)."""
        user = self.current_user
        name = getattr(user, "username", None) or (user if isinstance(user, str) else "")
        if not name or name == self.conf.team_user:
            raise web.HTTPError(
                403, "班のアカウントでは提出できません。自分のアカウントでサインインして開いてください。"
            )
        return name

    def shown_as(self) -> str:
        """The person's 氏名 as the hub knows it (the roster's, ``hub_config/auth.py``), or ''."""
        name = getattr(self.current_user, "display_name", "") or ""
        return name if isinstance(name, str) else ""

    def show(self, status: int = 200, **kw) -> None:
        blocked = ""
        try:
            drop_box(self.conf)
        except Refused as e:
            blocked = str(e)
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        kw.setdefault("checked", kit_notebooks(self.conf.kit_dir))
        self.finish(
            page(
                team=self.conf.team,
                person=who(self.person(), self.shown_as()),
                files=notebooks(self.root),
                earlier=history(self.root),
                xsrf=self.xsrf_form_html(),
                lab_url=url_path_join(self.base_url, "lab"),
                blocked=blocked,
                **kw,
            )
        )

    @web.authenticated
    def get(self):
        self.person()
        self.show()

    @web.authenticated
    def post(self):
        person = self.person()
        chosen = self.get_body_arguments("file")
        try:
            done = submit(self.conf, self.root, chosen, person, self.shown_as())
        except Refused as e:
            self.log.info("team submission refused (%s): %s", person, e)
            self.show(400, error=str(e), checked=set(chosen))
            return
        self.log.info("team submission by %s: %s", person, ", ".join(done["files"]))
        self.show(done=done, checked=set(done["files"]))


def _load_jupyter_server_extension(serverapp) -> None:
    conf = TeamSubmit(parent=serverapp)
    base_url = serverapp.web_app.settings["base_url"]
    route = url_path_join(base_url, teams.SUBMIT_ROUTE)
    serverapp.web_app.add_handlers(".*", [(route, TeamSubmitHandler, {"conf": conf})])


def _jupyter_server_extension_points() -> list[dict]:
    return [{"module": teams.SUBMIT_EXTENSION}]
