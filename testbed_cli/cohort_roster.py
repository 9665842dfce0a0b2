"""Roster of a training cohort: parsing the instructor's CSV (checked in full first) and the stored roster.

The CSV has a header row with ユーザー名 and 氏名 (所属, 期 and 班 optional; English ``username``/``name``/
``dept``/``cohort``/``team`` and クラス, チーム also accepted), in UTF-8 with or without BOM or in Shift_JIS (cp932),
as Excel saves it. Every problem is reported with its line number before anything is created. The stored roster
(氏名, 所属, course, cohort and team of each trainee) is a small SQLite file in the hub's state directory (root
only); it also holds the deadlines of assignments (``cohort_deadlines.py``).

Schema changes are additive and applied by whoever opens the file (``connect``): a roster written before
cohorts existed gains the column ``cohort`` (empty: no cohort) the first time it is opened, and likewise ``team``.

Teams (班, ``cohort_teams.py``): a team name is checked like every other cell (no HTML characters, no control
characters, at most ``TEAM_MAX`` characters). A trainee is in one team only: the CSV has one row per trainee, and a
second row of the same user is refused naming both lines (and both teams when they differ). A team of one is not a
parse problem: ``cohort_teams.lone_warnings`` reports it as a warning at import, since a roster is often imported in
parts and the team's other members may already be registered or be added with ``cohort team set``.

A roster imported again updates registered trainees of the course (``changes``/``update``): 氏名 always, 所属・期・班
only when the file has that column (or ``--cohort`` for 期), so a file without 班 leaves the teams alone.
"""

from __future__ import annotations

import csv
import io
import os
import pwd
import re
import sqlite3
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from classroom.deadlines import cohort_problem, from_iso, normalize_cohort

UNIX_NAME_MAX = 32  # useradd's limit on Debian; the Unix account is <prefix><name>
_PATTERN = re.compile(r"^[a-z][a-z0-9_-]*$")
COLUMNS = {
    "username": ("ユーザー名", "ユーザ名", "username", "user"),
    "fullname": ("氏名", "名前", "name", "fullname"),
    "dept": ("所属", "部署", "dept", "department"),
    "cohort": ("期", "クラス", "cohort"),
    "team": ("班", "チーム", "team", "グループ", "group"),
}
TEAM_MAX = 40
_TEAM_FORBIDDEN = set("<>&\"'`")


@dataclass(frozen=True)
class Entry:
    line: int
    username: str
    fullname: str
    dept: str = ""
    cohort: str = ""  # 期, e.g. 2026年度第1期 ("" : none)
    team: str = ""  # 班, e.g. 1班 ("" : none)
    # the optional fields the roster file gave (its columns, and 期 from --cohort): a re-import changes only these
    given: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Problem:
    line: int  # 0: the file as a whole
    message: str

    def __str__(self) -> str:
        return f"{self.line} 行目: {self.message}" if self.line else self.message


def max_username_length(unix_prefix: str) -> int:
    return min(31, UNIX_NAME_MAX - len(unix_prefix))


def username_problem(name: str, max_len: int) -> str | None:
    """Why ``name`` cannot be a trainee's user name (Japanese), or None when it can."""
    if not name:
        return "ユーザー名が空です"
    if not _PATTERN.match(name):
        bad = sorted({ch for ch in name if not re.match(r"[a-z0-9_-]", ch)})
        hint = f" (使えない文字: {' '.join(bad)})" if bad else ""
        return f"ユーザー名 {name!r} は使えません{hint}。半角の英小文字で始め、英小文字・数字・- ・_ だけにしてください"
    if len(name) > max_len:
        return f"ユーザー名 {name!r} が長すぎます ({len(name)} 文字)。{max_len} 文字以内にしてください"
    return None


def normalize_team(text: str | None) -> str:
    """One spelling per team: full-width digits and spaces as typed in Excel become ASCII (NFKC), ends trimmed."""
    return " ".join(unicodedata.normalize("NFKC", text or "").split())


def team_problem(team: str) -> str | None:
    """Why ``team`` (already normalised) cannot name a team (Japanese), or None when it can ("" is no team)."""
    if any(unicodedata.category(ch).startswith("C") for ch in team):
        return f"班の名前 {team!r} に制御文字 (改行・タブなど) が入っています。「1班」「A班」のような名前にしてください"
    bad = sorted({ch for ch in team if ch in _TEAM_FORBIDDEN})
    if bad:
        return (
            f"班の名前 {team!r} に使えない文字 ({' '.join(bad)}) があります。"
            "< > & \" ' ` を除いた、「1班」「A班」のような名前にしてください"
        )
    if len(team) > TEAM_MAX:
        return f"班の名前 {team!r} が長すぎます ({len(team)} 文字)。{TEAM_MAX} 文字以内にしてください"
    return None


# names a trainee may never take: administrators, services of the stack, the grader accounts (grader-<course>)
# and anything of the testbed's own; every system account of the machine is refused too (system_accounts)
RESERVED_NAMES = frozenset(
    {"root", "admin", "administrator", "daemon", "bin", "sys", "nobody", "postgres", "redis", "www-data", "jupyter"}
)
RESERVED_PREFIXES = ("grader-", "testbed", "team-")  # team-: the team workspaces' accounts (hub_config/teams.py)
SYSTEM_UID_MAX = 999  # Debian: system accounts below 1000; 65534 and up are nobody and friends
SYSTEM_UID_HIGH = 65534


def system_accounts() -> frozenset[str]:
    """Names of the machine's system accounts, from the same account database ``getent passwd`` reads (NSS)."""
    return frozenset(p.pw_name for p in pwd.getpwall() if p.pw_uid <= SYSTEM_UID_MAX or p.pw_uid >= SYSTEM_UID_HIGH)


def reserved_problem(name: str, system: frozenset[str] | None = None) -> str | None:
    """Why ``name`` is reserved for the system or the testbed (Japanese), or None; checked for new trainees."""
    if name in RESERVED_NAMES or name.startswith(RESERVED_PREFIXES):
        return (
            f"ユーザー名 {name!r} はシステムや研修環境が使う名前 (予約名) なので、研修生には使えません。"
            "別の名前にしてください (例: 名字のローマ字と数字 yamada01)"
        )
    if name in (system_accounts() if system is None else system):
        return (
            f"ユーザー名 {name!r} はこのサーバーのシステムアカウントと同じ名前なので、研修生には使えません。"
            "別の名前にしてください (例: 名字のローマ字と数字 yamada01)"
        )
    return None


def decode(data: bytes) -> str:
    """UTF-8 (BOM or not), else Shift_JIS (cp932); ValueError with a Japanese message otherwise."""
    for enc in ("utf-8-sig", "cp932"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise ValueError("文字コードを判別できません。UTF-8 か Shift_JIS (Excel の「CSV」形式) で保存し直してください")


def _header_map(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = cell.strip().lower()
        for field, names in COLUMNS.items():
            if key in names and field not in found:
                found[field] = i
    return found


def parse(data: bytes, *, max_len: int, cohort: str = "") -> tuple[list[Entry], list[Problem]]:
    """All entries and all problems of a roster file; callers import only when there are no problems.
    ``cohort`` is the 期 of rows that name none."""
    try:
        text = decode(data)
    except ValueError as e:
        return [], [Problem(0, str(e))]
    reader = csv.reader(io.StringIO(text, newline=""))
    rows = [(reader.line_num, row) for row in reader]
    rows = [(n, r) for n, r in rows if any(cell.strip() for cell in r)]
    if not rows:
        empty = "名簿が空です。1 行目に「ユーザー名,氏名,所属」の見出しを書き、2 行目から 1 人 1 行で書いてください"
        return [], [Problem(0, empty)]
    header_line, header = rows[0]
    cols = _header_map(header)
    missing = [COLUMNS[f][0] for f in ("username", "fullname") if f not in cols]
    if missing:
        return [], [
            Problem(
                header_line,
                f"見出しに {'・'.join(missing)} の列がありません (見出し: {','.join(header)})。"
                "1 行目を「ユーザー名,氏名,所属」にしてください",
            )
        ]
    given = frozenset(f for f in ("dept", "cohort", "team") if f in cols) | ({"cohort"} if cohort else frozenset())
    entries: list[Entry] = []
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    first_team: dict[str, str] = {}
    system = system_accounts()

    def cell(row: list[str], field: str) -> str:
        i = cols.get(field)
        return row[i].strip() if i is not None and i < len(row) else ""

    for line, row in rows[1:]:
        name, fullname, dept = cell(row, "username"), cell(row, "fullname"), cell(row, "dept")
        group = normalize_cohort(cell(row, "cohort")) or cohort
        team = normalize_team(cell(row, "team"))
        bad = username_problem(name, max_len) or reserved_problem(name, system)
        if bad:
            problems.append(Problem(line, bad))
        elif name in first_line:
            problems.append(Problem(line, _duplicate(name, first_line[name], first_team[name], line, team)))
        else:
            first_line[name], first_team[name] = line, team
        if not fullname:
            problems.append(Problem(line, f"氏名が空です ({name or 'ユーザー名なし'})。氏名を書いてください"))
        bad_cohort = cohort_problem(group)
        if bad_cohort:
            problems.append(Problem(line, bad_cohort))
        bad_team = team_problem(team)
        if bad_team:
            problems.append(Problem(line, bad_team))
        if not bad and fullname and not bad_cohort and not bad_team:
            entries.append(Entry(line, name, fullname, dept, group, team, given))
    if not entries and not problems:
        problems.append(Problem(0, "名簿に研修生の行がありません (見出しの次の行から 1 人 1 行で書いてください)"))
    return entries, problems


def _duplicate(name: str, first: int, first_team: str, line: int, team: str) -> str:
    if first_team != team:
        teams = f"班「{first_team or '(なし)'}」と班「{team or '(なし)'}」"
        return (
            f"ユーザー名 {name!r} が {first} 行目と {line} 行目の 2 つの班に入っています ({teams})。"
            "1 人は 1 つの班にだけ入れます。どちらかの行を消してください"
        )
    return f"ユーザー名 {name!r} が {first} 行目と重複しています。どちらかの行を消してください"


# stored roster -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    username: str
    fullname: str
    dept: str
    course: str
    added_at: str
    cohort: str = ""
    team: str = ""


_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS roster (username TEXT PRIMARY KEY, fullname TEXT NOT NULL, "
    "dept TEXT NOT NULL, course TEXT NOT NULL, added_at TEXT NOT NULL, cohort TEXT NOT NULL DEFAULT '')",
    "CREATE TABLE IF NOT EXISTS deadlines (course TEXT NOT NULL, assignment TEXT NOT NULL, "
    "cohort TEXT NOT NULL DEFAULT '', due TEXT NOT NULL, set_at TEXT NOT NULL, "
    "PRIMARY KEY (course, assignment, cohort))",
]
# columns added after a table was first released: (table, column, definition); existing rows get the default
_ADDED_COLUMNS = [("roster", "cohort", "TEXT NOT NULL DEFAULT ''"), ("roster", "team", "TEXT NOT NULL DEFAULT ''")]


def _migrate(conn: sqlite3.Connection) -> None:
    for table, column, definition in _ADDED_COLUMNS:
        if column in {row[1] for row in conn.execute(f"PRAGMA table_info({table})")}:
            continue
        try:
            conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
        except sqlite3.OperationalError as e:  # another process added it just now
            if "duplicate column" not in str(e):
                raise
    conn.commit()


def connect(path: Path) -> sqlite3.Connection:
    """The roster database (created 0600 when missing), its tables present and up to date."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    conn = sqlite3.connect(path, timeout=10)
    for statement in _SCHEMA:
        conn.execute(statement)
    _migrate(conn)
    return conn


def save(path: Path, entries: list[Entry], course: str) -> None:
    now = datetime.now().astimezone().isoformat(timespec="seconds")
    with connect(path) as conn:
        conn.executemany(
            "INSERT OR REPLACE INTO roster (username, fullname, dept, course, added_at, cohort, team) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(e.username, e.fullname, e.dept, course, now, e.cohort, e.team) for e in entries],
        )


LABELS = {"fullname": "氏名", "dept": "所属", "cohort": "期", "team": "班"}


def changes(member: Member, entry: Entry) -> dict[str, tuple[str, str]]:
    """{field: (stored, new)} of what re-importing ``entry`` changes for ``member``: 氏名 always, 所属・期・班 only
    when the roster file gave them (a file without a 班 column leaves teams alone)."""
    fields = ("fullname", *(f for f in ("dept", "cohort", "team") if f in entry.given))
    out = {}
    for f in fields:
        old, new = getattr(member, f) or "", getattr(entry, f) or ""
        if old != new:
            out[f] = (old, new)
    return out


def describe(changed: dict[str, tuple[str, str]]) -> str:
    """「班 1班 → 2班、期 (なし) → 2026年度第1期」"""
    return "、".join(f"{LABELS[f]} {old or '(なし)'} → {new or '(なし)'}" for f, (old, new) in changed.items())


def update(path: Path, username: str, course: str, new: dict[str, str]) -> None:
    """Store changed fields of one trainee's row (its registration time kept)."""
    if not new:
        return
    assert set(new) <= set(LABELS)
    with connect(path) as conn:
        conn.execute(
            f"UPDATE roster SET {', '.join(f'{f} = ?' for f in new)} WHERE username = ? AND course = ?",
            [*new.values(), username, course],
        )


def load(path: Path) -> list[Member]:
    if not path.exists():
        return []
    with connect(path) as conn:
        rows = conn.execute(
            "SELECT username, fullname, dept, course, added_at, cohort, team FROM roster ORDER BY username"
        ).fetchall()
    return [Member(*row) for row in rows]


def cohorts(path: Path, course: str | None = None) -> list[str]:
    """The cohorts (期) named in the roster (of one course), sorted."""
    return sorted({m.cohort for m in load(path) if m.cohort and (course is None or m.course == course)})


def set_teams(path: Path, teams: dict[str, str]) -> int:
    """Store each user's team ("" : none) in one transaction; the number of roster rows changed."""
    with connect(path) as conn:
        return sum(
            conn.execute("UPDATE roster SET team = ? WHERE username = ?", (team, user)).rowcount
            for user, team in teams.items()
        )


def forget(path: Path, usernames: list[str]) -> None:
    if not path.exists():
        return
    with connect(path) as conn:
        conn.executemany("DELETE FROM roster WHERE username = ?", [(u,) for u in usernames])


def as_dict(member: Member) -> dict:
    return asdict(member)


# deadlines (rules in classroom/deadlines.py, operations in cohort_deadlines.py) ------------------------


@dataclass(frozen=True)
class Deadline:
    course: str
    assignment: str
    cohort: str  # "" : everyone without a cohort-specific deadline
    due: str  # ISO 8601, Japan time
    set_at: str

    @property
    def due_at(self) -> datetime | None:
        return from_iso(self.due)


def save_deadline(path: Path, d: Deadline) -> None:
    with connect(path) as conn:
        conn.execute(
            "INSERT OR REPLACE INTO deadlines (course, assignment, cohort, due, set_at) VALUES (?, ?, ?, ?, ?)",
            (d.course, d.assignment, d.cohort, d.due, d.set_at),
        )


def delete_deadline(path: Path, course: str, assignment: str, cohort: str) -> int:
    """Remove one deadline; the number removed (0 or 1)."""
    if not path.exists():
        return 0
    with connect(path) as conn:
        cur = conn.execute(
            "DELETE FROM deadlines WHERE course = ? AND assignment = ? AND cohort = ?", (course, assignment, cohort)
        )
        return cur.rowcount


def load_deadlines(path: Path, course: str | None = None) -> list[Deadline]:
    """Every deadline (of one course), by course, assignment and cohort (the one for everyone first)."""
    if not path.exists():
        return []
    with connect(path) as conn:
        rows = conn.execute(
            "SELECT course, assignment, cohort, due, set_at FROM deadlines ORDER BY course, assignment, cohort"
        ).fetchall()
    return [Deadline(*row) for row in rows if course is None or row[0] == course]
