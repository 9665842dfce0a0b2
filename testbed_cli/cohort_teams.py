"""Teams (班) behind `./testbed cohort team set|list|clear|suggest`: one team per trainee, stored in the roster's
``team`` column (``cohort_roster.py``, which also checks team names) and handed to the console with the roster
export (``progress.export_rosters``).

``suggest`` proposes teams of about ``size`` that mix departments (所属), as the data-academy workshops want:
deterministic (the same roster gives the same proposal: only sorting, no randomness), team sizes differ by at most
one, no team of one, and the members of one department are spread as evenly as the number of teams allows.

Every change of teams (``set``, ``clear``, ``apply``) brings the team workspaces in line (``team_workspaces.sync``:
a shared JupyterLab per team with real-time collaboration).

A team of one is allowed but warned about (in ``set``, ``list`` and at import): it is a normal state while teams are
being formed one trainee at a time, and refusing it would make ``team set`` unusable for the first member.
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from testbed_cli import cohort_roster, progress, team_workspaces
from testbed_cli.cohort_roster import Entry, Member
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_config import names

MIX_KEYS = {"所属": "dept", "dept": "dept", "部署": "dept"}
NO_DEPT = "(所属なし)"


def _db(layout: Layout) -> Path:
    return layout.hub_dir / names.ROSTER_DB


@dataclass(frozen=True)
class Team:
    name: str
    members: tuple[Member, ...]

    @property
    def depts(self) -> dict[str, int]:
        """Members per department, largest first (then by name)."""
        counts = Counter(m.dept or NO_DEPT for m in self.members)
        return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def teams_of(members: list[Member]) -> list[Team]:
    """The teams named in the roster, by name; members by user name. Trainees without a team are left out."""
    by_team: dict[str, list[Member]] = {}
    for m in members:
        if m.team:
            by_team.setdefault(m.team, []).append(m)
    return [Team(t, tuple(sorted(ms, key=lambda m: m.username))) for t, ms in sorted(by_team.items())]


def lone_warning(team: str, who: str) -> str:
    return (
        f"班「{team}」は {who} の 1 人だけです。同じ班の人にも班を書くか "
        f"(./testbed cohort team set ユーザー名 {team})、別の班に入れてください"
    )


def lone_warnings(entries: list[Entry], stored: list[Member]) -> list[str]:
    """Warnings (Japanese) for teams that would have one member after importing ``entries`` into ``stored``."""
    team_of = {m.username: (m.team, "") for m in stored}
    team_of.update({e.username: (e.team, f"{e.line} 行目 ") for e in entries})
    members: dict[str, list[str]] = {}
    for user, (team, where) in sorted(team_of.items()):
        if team:
            members.setdefault(team, []).append(f"{where}{user}")
    return [lone_warning(t, who[0]) for t, who in sorted(members.items()) if len(who) == 1]


def _member(layout: Layout, username: str) -> Member:
    stored = cohort_roster.load(_db(layout))
    for m in stored:
        if m.username == username:
            return m
    raise SetupError(
        f"研修生 {username} は名簿にいません。./testbed cohort list でユーザー名を確かめてください"
        " (名簿にない人は ./testbed cohort add / import で先に登録します)。"
    )


def team_name(text: str) -> str:
    """A team as typed, in its one stored spelling; SetupError (Japanese) when unusable or empty."""
    team = cohort_roster.normalize_team(text)
    if not team:
        raise SetupError(
            "班の名前が空です。「1班」のような名前を指定してください (班から外すには ./testbed cohort team clear)。"
        )
    bad = cohort_roster.team_problem(team)
    if bad:
        raise SetupError(bad + "。")
    return team


def set_team(layout: Layout, username: str, team: str) -> tuple[Member, list[str]]:
    """Put ``username`` into ``team`` (moving them out of any other); the trainee and warnings (Japanese)."""
    team = team_name(team)
    before = _member(layout, username)
    cohort_roster.set_teams(_db(layout), {username: team})
    progress.export_rosters(layout)
    warnings = []
    if before.team and before.team != team:
        warnings.append(f"{username} を班「{before.team}」から班「{team}」に移しました。")
    members = cohort_roster.load(_db(layout))
    for t in teams_of(members):
        if len(t.members) == 1 and (t.name == team or t.name == before.team):
            warnings.append(lone_warning(t.name, t.members[0].username))
    warnings += team_workspaces.sync_quietly(layout)  # the team's workspace, with this trainee in it
    return _member(layout, username), warnings


def list_teams(layout: Layout) -> tuple[list[Team], list[Member]]:
    """The teams and the trainees in no team."""
    members = cohort_roster.load(_db(layout))
    return teams_of(members), [m for m in members if not m.team]


def clear(layout: Layout, username: str | None = None, *, everyone: bool = False) -> int:
    """Take one trainee (or, with ``everyone``, every trainee) out of their team; how many were in one."""
    if everyone == bool(username):
        raise SetupError(
            "班から外す研修生のユーザー名を指定するか、全員を外すなら --all を付けてください"
            " (例: ./testbed cohort team clear yamada01)。"
        )
    if everyone:
        users = {m.username: "" for m in cohort_roster.load(_db(layout)) if m.team}
    else:
        users = {username: ""} if _member(layout, username).team else {}
    if users:
        cohort_roster.set_teams(_db(layout), users)
        progress.export_rosters(layout)
        _sync_workspaces(layout)
    return len(users)


def _sync_workspaces(layout: Layout) -> None:
    """The team workspaces after a change of teams; what went wrong is said on stderr (the roster change stands)."""
    for problem in team_workspaces.sync_quietly(layout):
        print(f"注意: {problem}", file=sys.stderr)


def suggest(members: list[Member], size: int, mix: str = "所属") -> list[Team]:
    """Teams of about ``size`` mixing the ``mix`` column (所属); deterministic. SetupError (Japanese) when impossible.

    Members are lined up department by department (largest department first, then by name; inside one by user name)
    and dealt round-robin to the teams, so each department is spread evenly and sizes differ by at most one."""
    key = MIX_KEYS.get(mix.strip())
    if key is None:
        raise SetupError(f"--mix {mix!r} には対応していません。--mix 所属 を指定してください。")
    if size < 2:
        raise SetupError(f"班の人数 --size {size} は小さすぎます。2 以上を指定してください (例: --size 4)。")
    n = len(members)
    if n < 2:
        raise SetupError(f"班を作るには研修生が 2 名以上必要です (名簿には {n} 名)。先に研修生を登録してください。")
    count = max(1, min(int(n / size + 0.5), n // 2))
    by_group: dict[str, list[Member]] = {}
    for m in sorted(members, key=lambda m: m.username):
        by_group.setdefault(getattr(m, key) or NO_DEPT, []).append(m)
    line = [m for _, ms in sorted(by_group.items(), key=lambda kv: (-len(kv[1]), kv[0])) for m in ms]
    slots: list[list[Member]] = [[] for _ in range(count)]
    for i, m in enumerate(line):
        slots[i % count].append(m)
    return [Team(f"{i}班", tuple(sorted(ms, key=lambda m: m.username))) for i, ms in enumerate(slots, 1)]


def proposal(layout: Layout, size: int, mix: str = "所属", cohort: str = "") -> list[Team]:
    """``suggest`` over the stored roster (of one 期 when ``cohort`` is given)."""
    members = cohort_roster.load(_db(layout))
    if cohort:
        members = [m for m in members if m.cohort == cohort]
        if not members:
            known = "、".join(cohort_roster.cohorts(_db(layout))) or "なし"
            raise SetupError(f"期「{cohort}」の研修生は名簿にいません (名簿にある期: {known})。")
    return suggest(members, size, mix)


def apply(layout: Layout, teams: list[Team]) -> int:
    """Store a proposal (all at once); the number of trainees placed. Refused (nothing stored) when a trainee
    outside the proposal (another 期) already uses one of its team names: the two teams would merge."""
    assignment = {m.username: t.name for t in teams for m in t.members}
    clash = sorted(
        {
            m.team
            for m in cohort_roster.load(_db(layout))
            if m.username not in assignment and m.team in assignment.values()
        }
    )
    if clash:
        raise SetupError(
            f"提案の班の名前 ({'、'.join(clash)}) は、ほかの研修生 (別の期) の班が使っています。何も保存していません。"
            "先にその班の名前を変えるか (./testbed cohort team set)、期ごとに別の名前の班にしてください。"
        )
    cohort_roster.set_teams(_db(layout), assignment)
    progress.export_rosters(layout)
    _sync_workspaces(layout)
    return len(assignment)
