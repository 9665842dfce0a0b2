"""Course-level nbgrader steps on the running hub, run as the course's grader account.

The nbgrader CLI needs JUPYTERHUB_USER / API_TOKEN / API_URL even for steps that do not talk to
the hub; the grader account uses its course's service token (secrets/formgrader-<course>-token).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from testbed_config import japan_time, names
from testbed_config.layout import Layout

# util-linux puts runuser in /usr/sbin, which a minimal PATH (like the one given to subprocesses) lacks
RUNUSER = shutil.which("runuser", path="/usr/sbin:/usr/bin:/sbin:/bin") or "runuser"


class CourseError(Exception):
    """A course step failed; the message (Japanese) says what to do."""


def course_root(layout: Layout, course: str) -> Path:
    return layout.course_home(course) / course


def find_course(layout: Layout, course: str | None):
    """The configured course ``course`` (or the only one when None)."""
    courses = layout.cfg.courses
    if course is None:
        if len(courses) == 1:
            return courses[0]
        ids = ", ".join(c.id for c in courses)
        raise CourseError(f"コースが複数あります。--course で指定してください (候補: {ids})")
    for c in courses:
        if c.id == course:
            return c
    ids = ", ".join(c.id for c in layout.cfg.courses)
    raise CourseError(f"コース {course!r} はありません。次のどれかを指定してください: {ids}")


def list_courses(layout: Layout) -> list[dict]:
    """Every course with its assignments (source folders) and whether each is released."""
    out = []
    for c in layout.cfg.courses:
        src = course_root(layout, c.id) / "source"
        names = sorted(p.name for p in src.iterdir() if p.is_dir()) if src.is_dir() else []
        outbound = layout.exchange / c.id / "outbound"
        out.append({"course": c.id, "assignments": [{"name": n, "released": (outbound / n).is_dir()} for n in names]})
    return out


def run_nbgrader(layout: Layout, course: str, args: list[str]) -> subprocess.CompletedProcess:
    """``nbgrader ARGS`` in the course directory, as the grader account when run as root."""
    home = layout.course_home(course)
    account = layout.grader_account(course)
    token_file = layout.secrets / names.service_token(names.formgrader_name(course))
    env = {
        "PATH": f"{layout.hub_venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "TZ": japan_time.ZONE_NAME,  # nbgrader parses the exchange's "… JST" timestamps in the local zone
        "JUPYTERHUB_USER": account,
        "JUPYTERHUB_API_TOKEN": token_file.read_text().strip() if token_file.exists() else "",
        "JUPYTERHUB_API_URL": layout.cfg.hub_api_url,
    }
    cmd = [str(layout.hub_venv / "bin" / "nbgrader"), *args]
    if os.geteuid() == 0:
        cmd = [RUNUSER, "-u", account, "--", *cmd]
    proc = subprocess.run(cmd, cwd=course_root(layout, course), env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        raise CourseError(f"nbgrader {args[0]} が失敗しました (終了コード {proc.returncode}):\n{tail}")
    return proc


def release(layout: Layout, course: str, assignment: str) -> None:
    """generate_assignment + release_assignment (re-running is safe)."""
    src = course_root(layout, course) / "source" / assignment
    if not src.is_dir():
        names = [a["name"] for c in list_courses(layout) if c["course"] == course for a in c["assignments"]]
        raise CourseError(
            f"課題 {assignment!r} はコース {course} の source にありません。候補: {', '.join(names) or '(なし)'}"
        )
    run_nbgrader(layout, course, ["generate_assignment", assignment, "--force"])
    run_nbgrader(layout, course, ["release_assignment", assignment, "--force"])


def give_back(layout: Layout, course: str) -> None:
    """Files written by root-run workers go back to the grader account (the formgrader writes them too)."""
    if os.geteuid() != 0:
        return
    account = layout.grader_account(course)
    root = course_root(layout, course)
    paths = [p for p in (root / names.GRADEBOOK, root / "autograded", root / "feedback") if p.exists()]
    if paths:
        subprocess.run(["chown", "-R", f"{account}:{account}", *map(str, paths)], check=True)
