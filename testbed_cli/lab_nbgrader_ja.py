"""nbgrader's JupyterLab extension in Japanese: its built bundle translated by a string table at install.

nbgrader 0.9.6's labextension has no translation hooks (its strings are literals in the bundled JS, and
it uses no ``ITranslator``), so the Assignment List (課題の一覧), the Validate dialogs, the notebook
toolbar's Validate button and the menu entries stay English under JupyterLab's Japanese language pack.
``ensure_japanese`` rewrites the English literals of the bundle's chunk into Japanese, keeping every
behaviour of nbgrader (our own screens would have to follow every change of its exchange and handlers).

- The pristine chunk nbgrader installed is kept as it is; the translation is written beside it under a
  new content hash, and ``remoteEntry`` (loaded without a version, so browsers revalidate it) points at
  the new name. Chunks are requested with ``?v=<hash>`` and cached for a year by browsers: a new name is
  what makes a browser that saw the English chunk load the Japanese one.
- Re-running is a no-op; a changed table retranslates from the pristine chunk; after an nbgrader upgrade
  (pip replaces the pristine files) the new bundle is translated again and the stale translation removed.
- A source string the bundle no longer has, or English UI text the table does not know, is reported
  (``Result.missing`` / ``Result.untranslated``; ``./testbed up`` prints them) and fails the unit test
  ``tests/unit/test_lab_nbgrader_ja.py`` against the installed bundle: an upgrade never leaves English
  silently.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
from pathlib import Path

EXTENSION = Path("share/jupyter/labextensions/@jupyter/nbgrader")  # under the hub venv
UPSTREAM_VERSION = "0.9.6"  # the release the table was written against (tests/unit/test_lab_nbgrader_ja.py)
MARK = "/* testbed: Japanese by testbed_cli/lab_nbgrader_ja.py from {source} table {digest} */\n"
MARK_RE = re.compile(r"^/\* testbed: Japanese by testbed_cli/lab_nbgrader_ja\.py from (\S+) table (\w+) \*/\n")
# webpack/rspack's chunk file map in remoteEntry, e.g. {161:"290a640318af4049",393:"82c7ff760c9e356b"}
CHUNK_MAP = re.compile(r'\{(\d+:"[0-9a-f]+"(?:,\d+:"[0-9a-f]+")*)\}')

_CELL_TYPE = '({code:"コード",markdown:"マークダウン",raw:"Raw"}[@]||@)'  # @: the cell type

# (exact text in the bundle, Japanese). Quoted where the word alone is too short to be unique.
TABLE: tuple[tuple[str, str], ...] = (
    # Assignment List panel (課題の一覧)
    ("Released, downloaded, and submitted assignments for course:", "コースの課題 (配布・受け取り・提出):"),
    ("Loading, please wait...", "読み込んでいます…"),
    (">Toggle Dropdown<", ">コースを選ぶ<"),
    ('title="Refresh assignments list"', 'title="課題の一覧を更新"'),
    ("Released assignments", "配布された課題"),
    ("There are no assignments to fetch.", "受け取れる課題はありません。"),
    ("Downloaded assignments", "受け取った課題"),
    ("There are no downloaded assignments.", "受け取った課題はありません。"),
    ("Submitted assignments", "提出した課題"),
    ("There are no submitted assignments.", "提出した課題はありません。"),
    ('"Fetch"', '"受け取る"'),
    ('"Fetching..."', '"受け取っています…"'),
    ('"Error fetching assignment."', '"課題を受け取れませんでした。"'),
    ('"Submit"', '"提出する"'),
    ('"submitting..."', '"提出しています…"'),
    ('"Error submitting assignment."', '"課題を提出できませんでした。"'),
    ('"Fetch Feedback"', '"フィードバックを受け取る"'),
    ('"Fetching Feedback..."', '"フィードバックを受け取っています…"'),
    ('"Error fetching feedback."', '"フィードバックを受け取れませんでした。"'),
    ('" (view feedback)"', '" (フィードバックを見る)"'),
    ('" (feedback available to fetch)"', '" (フィードバックを受け取れます)"'),
    ('"Assignment not submitted:"', '"課題は提出されていません:"'),
    ('"Invalid Submission"', '"提出できませんでした"'),
    ('"Error fetching courses!"', '"コースを読み込めませんでした"'),
    ('"No courses found."', '"コースがありません"'),
    # Validate: the Assignment List's button, the notebook toolbar's button, the results dialog
    ('"Validate"', '"チェック"'),
    ('"Validating..."', '"チェックしています…"'),
    ('"Error validating assignment."', '"チェックを実行できませんでした。"'),
    ('"Validate Assignment"', '"提出の前に課題をチェックします (テストを実行)"'),
    ('"Validation Results"', '"チェックの結果"'),
    ('"Success! Your notebook passes all the tests."', '"合格です。このノートブックはすべてのテストに合格しました。"'),
    ('"The following cell failed:"', '"次のセルのテストに合格しませんでした:"'),
    ('"The following cell passed:"', '"次のセルは合格しました:"'),
    (
        '"The source of the following cell has changed, but it should not have!"',
        '"次のセルは変更してはいけないセルですが、内容が変わっています。元に戻してください:"',
    ),
    (
        "`The following ${e.type_changed[s].old_type} cell has changed to a ${e.type_changed[s].new_type} cell,"
        " but it should not have!`",
        "`次のセルの種類が「${"
        + _CELL_TYPE.replace("@", "e.type_changed[s].old_type")
        + "}」から「${"
        + _CELL_TYPE.replace("@", "e.type_changed[s].new_type")
        + "}」に変わっています。セルの種類は変えないでください:`",
    ),
    ('"There was an error running the validate command:"', '"チェックを実行できませんでした:"'),
    ('"Validation failed"', '"チェックできませんでした"'),
    ('"Cannot save notebook"', '"ノートブックを保存できませんでした。"'),
    ("`Cannot validate: ${e}`", "`チェックを実行できませんでした: ${e}`"),
    ('"Version Mismatch"', '"nbgrader のバージョンが合いません"'),
    ('"Saving..."', '"保存しています…"'),
    ("`Cannot check version: ${e}`", "`nbgrader のバージョンを確かめられませんでした: ${e}`"),
    # menu, command palette, tab titles
    ('d.title.label="Nbgrader"', 'd.title.label="課題"'),
    ('category:"nbgrader"', 'category:"課題"'),
    ('label:"Assignment List"', 'label:"課題の一覧"'),
    ('n.title.label="Assignments"', 'n.title.label="課題の一覧"'),
    ('label:"Course List"', 'label:"コースの一覧"'),
    ('n.title.label="Courses"', 'n.title.label="コースの一覧"'),
    # instructors' panels (the plugins are disabled on this stack; translated in case one is enabled)
    ('"There are no available formgrader services."', '"使える採点画面 (formgrader) はありません。"'),
    ('"Available formgraders"', '"採点画面 (formgrader) の一覧"'),
    ('"Refresh formgrader list"', '"一覧を更新"'),
    ('label:"Formgrader"', 'label:"採点画面"'),
    ('title.label="Formgrader"', 'title.label="採点画面"'),
    ('"Formgrader (local)"', '"採点画面 (このサーバー)"'),
    ('"Create Assignment"', '"課題の作成"'),
    ('"Nbgrader Create Assignment"', '"課題の作成 (nbgrader)"'),
    ('"Create assignment"', '"課題の作成"'),
    ('"Student changes will be overwritten"', '"研修生の変更は採点時に元に戻されます"'),
    ('"Points: "', '"配点: "'),
    ('"Type: "', '"種類: "'),
    ('"Manually graded answer"', '"手採点の解答"'),
    ('"Manually graded task"', '"手採点の課題"'),
    ('"Autograded answer"', '"自動採点の解答"'),
    ('"Autograded tests"', '"自動採点のテスト"'),
    ('"Read-only"', '"読み取り専用"'),
    ('"Total points:"', '"合計点:"'),
    ('"Invalid nbgrader cell ID"', '"nbgrader のセル ID が正しくありません"'),
    (
        '"At least one cell has an invalid nbgrader ID. Cell IDs must contain at least one character, and may only'
        ' contain letters, numbers, hyphens, and/or underscores."',
        '"nbgrader の ID が正しくないセルがあります。'
        'セル ID は 1 文字以上で、英字・数字・ハイフン・下線だけが使えます。"',
    ),
    ('"Duplicate nbgrader cell ID"', '"nbgrader のセル ID が重複しています"'),
    (
        '`The nbgrader ID "${s}" has been used for more than one cell. Please make sure all grade cells have'
        " unique ids.`",
        '`nbgrader の ID "${s}" が複数のセルで使われています。採点セルの ID はすべて別々にしてください。`',
    ),
    ('"Outdated schema version"', '"nbgrader のメタデータが古い形式です"'),
    (
        "`At least one cell has an old version (${t}) of the nbgrader metadata. Please back up this notebook and then"
        " update the metadata on the command line using the following command: `",
        "`古い形式 (${t}) の nbgrader メタデータを持つセルがあります。このノートブックを控えてから、"
        "次のコマンドでメタデータを更新してください: `",
    ),
)

# English literals of the chunk that are no UI text: console messages, a widget factory name, a command line.
NOT_SHOWN = re.compile(
    r"^(?:JupyterLab extension [\w-]+ is activated!|Extension \"create_assignment\" activated\."
    r"|Error on (?:GET|POST) .*|The course_list server extension appears to be missing\..*"
    r"|use strict|Notebook|nbgrader update\b.*)$",
    re.S,
)
ALLOWED_WORDS = {"ID", "OK", "nbgrader", "JupyterLab", "Raw"}  # names and code kept in the Japanese text
_LITERAL = re.compile(r""""(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\]|\\.)*`""")
_TEXT_NODE = re.compile(r">([^<>]*)<")
_TITLE_ATTR = re.compile(r'title="([^"]*)"')
_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_CSS_CLASSES = re.compile(r"[a-z][\w-]*(?: [a-z][\w-]*)*")
_IDENTIFIER = re.compile(r"[\w:/#@$\-]*(?:\.[\w:/#@$\-]+)*")


@dataclasses.dataclass
class Result:
    """What ``ensure_japanese`` did: chunks rewritten, table entries not found, English left visible."""

    changed: list[str] = dataclasses.field(default_factory=list)
    missing: list[str] = dataclasses.field(default_factory=list)
    untranslated: list[str] = dataclasses.field(default_factory=list)


def table_digest(table=TABLE) -> str:
    return hashlib.sha256(repr(table).encode()).hexdigest()[:16]


def translate(text: str, table=TABLE) -> tuple[str, list[str]]:
    """The text with every table entry replaced (longest first, in one pass), and the entries not found."""
    missing = [src for src, _ in table if src not in text]
    mapping = dict(table)
    pattern = re.compile("|".join(re.escape(s) for s in sorted(mapping, key=len, reverse=True)))
    return pattern.sub(lambda m: mapping[m.group(0)], text), missing


def visible_english(text: str) -> list[str]:
    """English a person could read in a chunk: string literals, and HTML text nodes and titles in templates.

    Literals that are code (identifiers, CSS classes, routes, console messages) are left out; text with
    Japanese in it counts as translated (it may keep names such as nbgrader or ID)."""
    found = []
    for lit in _LITERAL.findall(text):
        body = lit[1:-1]
        if "<" in body and ">" in body:  # an HTML template
            parts = _TEXT_NODE.findall(body.replace("\\n", "\n")) + _TITLE_ATTR.findall(body)
        elif (_IDENTIFIER.fullmatch(body) and not re.match(r"[A-Z][a-z]", body)) or _is_class_list(body):
            continue
        else:
            parts = [body]
        found += [part.strip() for part in parts if _english(part)]
    return found


def _is_class_list(body: str) -> bool:
    """CSS class names such as "btn btn-default" (one of them with a dash or underscore)."""
    return bool(_CSS_CLASSES.fullmatch(body)) and bool(re.search(r"[-_]", body))


def _english(part: str) -> bool:
    t = re.sub(r"\$\{[^}]*\}", "", part).strip()
    if not t or _JAPANESE.search(t) or NOT_SHOWN.match(t):
        return False
    if re.search(r"[;={}<>]|\.\w+\(", t):  # a fragment of code that the literal scan split out
        return False
    return any(w not in ALLOWED_WORDS for w in re.findall(r"[A-Za-z]{2,}", t))


def _chunk_map(remote: str) -> dict[str, str]:
    found = CHUNK_MAP.search(remote)
    if not found:
        raise ValueError("remoteEntry: chunk map not found (the bundle's format changed)")
    return {chunk: digest.strip('"') for chunk, digest in (item.split(":") for item in found.group(1).split(","))}


def pristine_ui_chunks(extension_dir: Path) -> dict[str, str]:
    """nbgrader's own chunks (as installed, before translation) that hold text of the table."""
    static = extension_dir / "static"
    (remote,) = static.glob("remoteEntry.*.js")
    found = {}
    for chunk, digest in _chunk_map(remote.read_text(encoding="utf-8")).items():
        path = static / f"{chunk}.{digest}.js"
        if not path.exists():
            continue
        marked = MARK_RE.match(path.read_text(encoding="utf-8"))
        source = static / marked.group(1) if marked else path
        text = source.read_text(encoding="utf-8")
        if any(src in text for src, _ in TABLE):
            found[source.name] = text
    return found


def _set_hash(remote: str, chunk: str, old: str, new: str) -> str:
    return remote.replace(f'{chunk}:"{old}"', f'{chunk}:"{new}"')


def ensure_japanese(extension_dir: Path, table=TABLE) -> Result:
    """Translate the nbgrader labextension in ``extension_dir`` (idempotent); see the module docstring."""
    static = extension_dir / "static"
    remotes = sorted(static.glob("remoteEntry.*.js"))
    if len(remotes) != 1:
        raise ValueError(f"{static}: expected one remoteEntry, found {len(remotes)}")
    remote_path = remotes[0]
    remote = remote_path.read_text(encoding="utf-8")
    result = Result()
    digest = table_digest(table)
    for chunk, current in _chunk_map(remote).items():
        path = static / f"{chunk}.{current}.js"
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        marked = MARK_RE.match(text)
        source = static / marked.group(1) if marked else path
        if marked and not source.exists():
            continue  # pristine file gone (reinstalled): nothing to retranslate from
        pristine = source.read_text(encoding="utf-8")
        if not any(src in pristine for src, _ in table):
            continue  # a chunk without UI text (shared libraries, styles)
        translated, missing = translate(pristine, table)
        result.missing += missing
        result.untranslated += visible_english(translated)
        body = MARK.format(source=source.name, digest=digest) + translated
        if marked and body == text:
            continue
        new_hash = hashlib.sha256(body.encode()).hexdigest()[:16]
        _write_readable(static / f"{chunk}.{new_hash}.js", body)
        remote = _set_hash(remote, chunk, current, new_hash)
        result.changed.append(f"{chunk}.{new_hash}.js")
        if marked:
            path.unlink()  # the previous translation
    if result.changed:
        tmp = remote_path.with_suffix(".tmp")
        _write_readable(tmp, remote)
        tmp.replace(remote_path)
    _remove_stale(static, remote)
    return result


def _write_readable(path: Path, text: str) -> None:
    """Written by root at install, read by every trainee's server: world-readable whatever the umask."""
    path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o644)


def _remove_stale(static: Path, remote: str) -> None:
    """Translations no remoteEntry points at any more (left behind when pip replaced the bundle)."""
    wanted = {f"{chunk}.{digest}.js" for chunk, digest in _chunk_map(remote).items()}
    for path in static.glob("*.js"):
        if path.name not in wanted and not path.name.startswith("remoteEntry."):
            head = path.read_text(encoding="utf-8", errors="replace")[:200]
            if MARK_RE.match(head):
                path.unlink()


def ensure(hub_venv: Path, log=print) -> bool:
    """``./testbed up``'s step: nbgrader's JupyterLab screens in Japanese (static files: no restart needed)."""
    extension = hub_venv / EXTENSION
    if not (extension / "static").is_dir():
        return False  # nbgrader not installed in this venv (yet)
    result = ensure_japanese(extension)
    if result.missing:
        log("nbgrader の画面の翻訳表にあって、インストールされた nbgrader にない文があります (nbgrader の更新?): "
            + " / ".join(result.missing))  # fmt: skip
    if result.untranslated:
        log("nbgrader の画面に英語のまま残る文があります (testbed_cli/lab_nbgrader_ja.py の TABLE に追加してください): "
            + " / ".join(result.untranslated))  # fmt: skip
    return bool(result.changed)
