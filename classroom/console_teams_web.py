"""The console's team handlers: 班の成果物 for instructors (the list, one team's rubric grading page, grading a
member's reflection) and a member's own reflection (振り返り). Instructors only for grading (a trainee gets 403); a
member submits only their own reflection. Form POSTs carry the service's xsrf token (checked by tornado for every POST).

Where things come from: teams and members from the roster export (its 班 column), submissions from the course's team
drop box (``classroom/team_work.py``; a folder counts only when owned by its team's Unix account), the rubric from
``--rubric`` (re-read when the file changes), grades and reflections from the console's store.
"""

from __future__ import annotations

import pwd
from collections.abc import Mapping

from tornado import ioloop, web

from classroom import console_page, console_teams, rubric, sources, team_work
from classroom.console_teams import Team
from classroom.console_web import TraineeHandler, _ConsoleBase
from classroom.store import Store
from testbed_config.names import formgrader_path, team_user_name

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'"
NOTICES = {
    "saved": "保存しました。得点は班のメンバー全員の記録に表示されます。",
    "reflection": "振り返りの評価を保存しました。",
}
NOT_INSTRUCTOR = "班の成果物の採点は講師だけができます。自分の班の得点は研修コンソールの自分の記録で見られます。"


class Teamwork:
    """What the team pages share: the board (roster, exchange, hub), the store and the rubric."""

    def __init__(self, board, store: Store, rubric_path):
        self.board, self.store = board, store
        self.rubric_file = rubric.Cached(rubric_path)

    def rubric(self) -> tuple[rubric.Rubric | None, str]:
        """The rubric, or None and the Japanese reason it cannot be used."""
        try:
            return self.rubric_file.get(), ""
        except rubric.RubricError as e:
            return None, f"ルーブリックを読み込めません: {e}"

    def roster(self) -> sources.Roster:
        return sources.roster(self.board.roster)

    def teams(self, roster: sources.Roster | None = None) -> list[Team]:
        """Every team (班) of the roster export, with its members, by label."""
        roster = roster or self.roster()
        members: dict[str, list[str]] = {}
        for user, label in roster.teams.items():
            members.setdefault(label, []).append(user)
        return [Team(label, team_user_name(label), tuple(sorted(users))) for label, users in sorted(members.items())]

    def team_of(self, user: str, roster: sources.Roster | None = None) -> Team | None:
        roster = roster or self.roster()
        label = roster.teams.get(user)
        return next((t for t in self.teams(roster) if t.label == label), None) if label else None

    def owner_uid(self, team_user: str) -> int | None:
        """The uid of the team's Unix account (which must own its submission folders)."""
        try:
            return pwd.getpwnam(self.board.unix_prefix + team_user).pw_uid
        except KeyError:
            return None

    def submissions(self) -> dict[str, list[team_work.Submission]]:
        return team_work.submissions(self.board.exchange, self.owner_uid)

    def record_sections(self, row: dict, *, own: bool, xsrf: str, body=None, error="", info="") -> str:
        """The two sections of a member's record (``trainee?user=NAME``): 班の成果物 and 振り返り."""
        roster = self.roster()
        user = row["username"]
        team = self.team_of(user, roster)
        latest = grade = None
        if team is not None:
            subs = self.submissions().get(team.team_user, [])
            latest = subs[-1] if subs else None
            grade = self.store.latest_team_grade(team.team_user)
        found, _ = self.rubric()
        return (
            f"<style>{console_teams.RECORD_CSS}</style>"
            + console_teams.record_team_section(team, latest, grade, roster.names)
            + console_teams.record_reflection_section(
                user=user,
                own=own,
                in_team=team is not None,
                reflection=self.store.reflection(user),
                graded=self.store.reflection_grade(user),
                scale=found.reflection if found else None,
                xsrf=xsrf,
                team_user=team.team_user if team else "",
                body=body,
                error=error,
                info=info,
            )
        )


class _TeamBase(_ConsoleBase):
    def initialize(self, board, teamwork: Teamwork):
        super().initialize(board)
        self.teamwork = teamwork

    def set_default_headers(self):
        super().set_default_headers()
        self.set_header("Content-Security-Policy", CSP)  # the deliverable's charts are data: images

    def grading_url(self) -> str:
        return formgrader_path(self.board.course)

    async def instructor_only(self) -> bool:
        """True for instructors; a trainee gets 403 (in Japanese)."""
        if await self.board.is_instructor(self.current_user):
            return True
        self.refuse(403, NOT_INSTRUCTOR)
        return False


class TeamsPage(_TeamBase):
    """GET teams: every team's latest submission, grading state and score."""

    @web.authenticated
    async def get(self):
        if not await self.instructor_only():
            return
        tw = self.teamwork
        roster = tw.roster()
        subs = tw.submissions()
        _, problem = tw.rubric()
        self.html(
            console_teams.team_list(
                course=self.board.course,
                teams=tw.teams(roster),
                latest={u: s[-1] for u, s in subs.items() if s},
                grades=tw.store.latest_team_grades(),
                names=roster.names,
                rubric_error=problem,
                grading_url=self.grading_url(),
            )
        )


class GradePage(_TeamBase):
    """GET team-grade?team=TEAM_USER[&submission=NAME]: one team's deliverable, the rubric form and the members'
    reflections; POST: save the rubric grade of the submission named in the form."""

    def team(self) -> Team | None:
        wanted = self.get_argument("team", "")
        return next((t for t in self.teamwork.teams() if t.team_user == wanted), None)

    async def show(
        self,
        team: Team,
        *,
        status: int = 200,
        submission: str = "",
        form: Mapping[str, str] | None = None,
        problems: list[str] | None = None,
        reflection_form=None,
    ) -> None:
        tw = self.teamwork
        roster = tw.roster()
        subs = tw.submissions().get(team.team_user, [])
        wanted = submission or self.get_argument("submission", "")
        shown = next((s for s in subs if s.name == wanted), subs[-1] if subs else None)
        parts = []
        if shown is not None:
            parts = await ioloop.IOLoop.current().run_in_executor(None, team_work.deliverable_parts, shown)
        found, problem = tw.rubric()
        grade = tw.store.team_grade(team.team_user, shown.name) if shown else None
        text = console_teams.grading_page(
            course=self.board.course,
            team=team,
            subs=subs,
            shown=shown,
            parts=parts,
            rubric=found,
            rubric_error=problem,
            grade=grade,
            latest_grade=tw.store.latest_team_grade(team.team_user),
            form=form if form is not None else console_teams.grade_form_values(grade),
            problems=problems or [],
            info=NOTICES.get(self.get_argument("ok", ""), ""),
            names=roster.names,
            reflections={u: (tw.store.reflection(u), tw.store.reflection_grade(u)) for u in team.members},
            reflection_form=reflection_form,
            xsrf=self.xsrf_form_html(),
            grading_url=self.grading_url(),
        )
        self.set_status(status)
        self.html(text)

    @web.authenticated
    async def get(self):
        if not await self.instructor_only():
            return
        team = self.team()
        if team is None:
            return self.refuse(404, "その班は名簿にありません。班の成果物の一覧から選んでください。")
        await self.show(team)

    @web.authenticated
    async def post(self):
        if not await self.instructor_only():
            return
        team = self.team()
        if team is None:
            return self.refuse(404, "その班は名簿にありません。班の成果物の一覧から選んでください。")
        tw = self.teamwork
        found, problem = tw.rubric()
        if found is None:
            return self.refuse(503, problem)
        name = self.get_argument("submission", "")
        sub = next((s for s in tw.submissions().get(team.team_user, []) if s.name == name), None)
        if sub is None:
            return self.refuse(409, "採点しようとした提出が見つかりません。ページを開き直してから採点してください。")
        form = {k: self.get_argument(k, "") for k in self.request.body_arguments if k != "_xsrf"}
        try:
            chosen, overall = rubric.grade(
                found,
                {i.id: form.get(f"level-{i.id}", "") for i in found.items},
                {i.id: form.get(f"comment-{i.id}", "") for i in found.items},
                form.get("overall", ""),
            )
        except rubric.GradeError as e:
            return await self.show(team, status=400, submission=sub.name, form=form, problems=e.problems)
        tw.store.save_team_grade(team.team_user, team.label, sub.name, chosen, overall, self.current_user["name"])
        self.redirect(console_teams.grade_url(team.team_user, submission=sub.name, ok="saved") + "#score", status=303)


class ReflectionGrade(GradePage):
    """POST reflection-grade (team, user, level, comment): an instructor grades one member's reflection."""

    async def get(self):
        raise web.HTTPError(405)

    @web.authenticated
    async def post(self):
        if not await self.instructor_only():
            return
        team = self.team()
        user = self.get_argument("user", "")
        if team is None or user not in team.members:
            return self.refuse(404, "その研修生はこの班のメンバーではありません。班の採点ページから評価してください。")
        tw = self.teamwork
        found, problem = tw.rubric()
        if found is None:
            return self.refuse(503, problem)
        if tw.store.reflection(user) is None:
            return self.refuse(409, "この研修生はまだ振り返りを提出していません。")
        form = {"level": self.get_argument("level", ""), "comment": self.get_argument("comment", "")}
        try:
            level, comment = rubric.grade_reflection(found.reflection, form["level"], form["comment"])
        except rubric.GradeError as e:
            return await self.show(team, status=400, reflection_form=(user, form, e.problems))
        tw.store.grade_reflection(
            user, level.points, found.reflection.max_points, level.label, level.descriptor, comment,
            self.current_user["name"],
        )  # fmt: skip
        self.redirect(console_teams.grade_url(team.team_user, ok="reflection") + f"#r-{user}", status=303)


class ReflectionSubmit(TraineeHandler):
    """POST reflection (user, body): a member submits (or rewrites, until graded) their own reflection."""

    def set_default_headers(self):
        super().set_default_headers()
        self.set_header("Content-Security-Policy", CSP)

    @web.authenticated
    async def get(self):
        self.redirect(console_page.trainee_url(self.current_user["name"]))

    @web.authenticated
    async def post(self):
        viewer = self.current_user["name"]
        if self.get_argument("user", viewer) != viewer:
            return self.refuse(403, "振り返りは本人だけが提出できます。ほかの人の振り返りは提出できません。")
        tw = self.teamwork
        if tw.team_of(viewer) is None:
            return self.refuse(403, "振り返りは、班に入っている研修生だけが提出できます。")
        body = self.get_argument("body", "").strip()
        error = ""
        if not body:
            error = "振り返りが空です。書いてから提出してください。"
        elif len(body) > console_teams.MAX_REFLECTION:
            error = (
                f"振り返りが長すぎます ({len(body)} 文字。{console_teams.MAX_REFLECTION} 文字まで)。短くしてください。"
            )
        if error:
            return await self.render_page(viewer, status=400, body=self.get_argument("body", ""), error=error)
        if tw.store.submit_reflection(viewer, body) is None:
            return await self.render_page(
                viewer, status=409, error="振り返りはすでに評価されたため、書き直せません。評価は下に表示されています。"
            )
        self.redirect(console_page.trainee_url(viewer) + "&ok=reflection#reflection", status=303)


def routes(prefix: str, board, teamwork: Teamwork) -> list[tuple]:
    kw = {"board": board, "teamwork": teamwork}
    return [
        (prefix + console_teams.TEAMS_PATH, TeamsPage, kw),
        (prefix + console_teams.GRADE_PATH, GradePage, kw),
        (prefix + console_teams.REFLECTION_GRADE_PATH, ReflectionGrade, kw),
        (prefix + console_teams.REFLECTION_PATH, ReflectionSubmit, kw),
    ]
