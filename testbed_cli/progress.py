"""The progress board (進捗ボード) of each course in the local stack: its supervised program, health and
the roster export it reads.

Least privilege: each board runs as its course's grader account, which already owns what the board
reads (the exchange's inbound folder, listable by its owner only, and the gradebook); trainees' homes
(0700) and the hub's private state stay closed to it, so ``./testbed up`` and every cohort or deadline change
(root) export the course's roster (names, cohorts) and deadlines into the grader's home for it. The workshop's
rubric (``courses/workshop/rubric.yaml``) is copied there by ``./testbed up`` too: the repository's and the installed
copy's ``courses/`` are root-only (they hold model answers), and the board re-reads the copy when it changes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from classroom import rubric
from testbed_cli import backup_schedule, cohort_roster, secrets, system
from testbed_cli.errors import SetupError
from testbed_cli.hub import _get
from testbed_cli.layout import REPO, Layout
from testbed_cli.supervisor import Program
from testbed_config import japan_time, names
from testbed_config.names import ROSTER_EXPORT, classroom_name, classroom_port

RUBRIC = REPO / "courses" / "workshop" / "rubric.yaml"
RUBRIC_COPY = "progress-rubric.yaml"  # in each course's grader home, read by its board (--rubric)


def roster_export(layout: Layout, course: str) -> Path:
    return layout.course_home(course) / ROSTER_EXPORT


def rubric_copy(layout: Layout, course: str) -> Path:
    return layout.course_home(course) / RUBRIC_COPY


def export_rubric(layout: Layout, source: Path = RUBRIC) -> None:
    """The workshop's rubric, validated, into each course's grader home (0600, the grader's), rewritten only when it
    changed; a broken rubric stops ``up`` with the Japanese reason (and the board keeps the copy it had)."""
    try:
        text = source.read_text(encoding="utf-8")
        rubric.parse(text, str(source))
    except OSError as e:
        raise SetupError(f"ルーブリック {source} が読めません ({e})。") from None
    except rubric.RubricError as e:
        raise SetupError(str(e)) from None
    for course in layout.cfg.courses:
        path = rubric_copy(layout, course.id)
        if not path.parent.is_dir():
            continue
        try:
            if path.read_text(encoding="utf-8") == text:
                continue
        except (OSError, UnicodeDecodeError):
            pass
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        system.chown(tmp, layout.grader_account(course.id))
        os.replace(tmp, path)


def ensure_state(layout: Layout) -> None:
    """Each board's hub token (read by the hub config) and certificate key, and the roster and deadlines it shows."""
    for course in layout.cfg.courses:
        secrets.get(layout.state, names.service_token(classroom_name(course.id)))
        secrets.get(layout.state, names.certificate_key(course.id))
    export_rosters(layout)
    export_rubric(layout)
    backup_schedule.export_status(layout)  # the console's note of the last backup


def export_rosters(layout: Layout) -> None:
    """Write each course's roster (氏名, 所属, 期, 班) and deadlines where its board can read them; re-run after cohort
    and deadline changes. Format: ``{"members": [...], "deadlines": [{"assignment", "cohort", "due"}, ...]}``."""
    db = layout.hub_dir / names.ROSTER_DB
    members, deadlines = cohort_roster.load(db), cohort_roster.load_deadlines(db)
    for course in layout.cfg.courses:
        rows = {
            "members": [
                {"username": m.username, "fullname": m.fullname, "dept": m.dept, "cohort": m.cohort, "team": m.team}
                for m in members
                if m.course == course.id
            ],
            "deadlines": [
                {"assignment": d.assignment, "cohort": d.cohort, "due": d.due}
                for d in deadlines
                if d.course == course.id
            ],
        }
        path = roster_export(layout, course.id)
        if not path.parent.is_dir():
            continue
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(rows, f, ensure_ascii=False, indent=1)
        system.chown(tmp, layout.grader_account(course.id))
        os.replace(tmp, path)


def progress_program(layout: Layout, index: int, address: str = "127.0.0.1") -> Program:
    """The board of one course, as its grader account, an external hub service (outlives hub restarts),
    listening on ``address`` (loopback on one machine; the container's address where the proxy is elsewhere)."""
    cfg = layout.cfg
    course = cfg.courses[index]
    name = classroom_name(course.id)
    home = layout.course_home(course.id)
    prefix = f"/services/{name}/"
    port = classroom_port(cfg, index)
    scopes = json.dumps(["access:services", f"access:services!service={name}"])
    env = {
        "HOME": str(home),
        "PYTHONUNBUFFERED": "1",
        "TZ": japan_time.ZONE_NAME,  # like trainees' servers: times on the board in Japanese local time
        "JUPYTERHUB_SERVICE_NAME": name,
        "JUPYTERHUB_API_TOKEN": secrets.get(layout.state, names.service_token(name)),
        "JUPYTERHUB_CLIENT_ID": f"service-{name}",
        "JUPYTERHUB_API_URL": cfg.hub_api_url,
        "JUPYTERHUB_BASE_URL": "/",
        "JUPYTERHUB_SERVICE_PREFIX": prefix,
        "JUPYTERHUB_SERVICE_URL": f"http://127.0.0.1:{port}{prefix}",
        "JUPYTERHUB_OAUTH_CALLBACK_URL": f"{prefix}oauth_callback",
        "JUPYTERHUB_OAUTH_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_ACCESS_SCOPES": scopes,
        "JUPYTERHUB_OAUTH_CLIENT_ALLOWED_SCOPES": "[]",
        # numbers completion certificates (HMAC); in the environment like the token, never on the command line
        "TESTBED_CERTIFICATE_KEY": secrets.get(layout.state, names.certificate_key(course.id)),
    }
    command = [
        str(layout.hub_venv / "bin" / "python"),
        "-m",
        "classroom.app",
        f"--course={course.id}",
        f"--port={port}",
        f"--address={address}",
        f"--exchange={layout.exchange / course.id}",
        f"--gradebook={home / course.id / names.GRADEBOOK}",
        f"--roster={roster_export(layout, course.id)}",
        f"--source={home / course.id / 'source'}",
        f"--unix-prefix={cfg.unix_user_prefix if system.is_root() else ''}",
        f"--pass-ratio={course.pass_ratio}",
        f"--title={course.title}",
        f"--hub-url=http://{cfg.local_host}:{cfg.ports.hub}",  # trainees' servers, for a fresh copy of an assignment
        f"--solution-after={cfg.solution_after}",  # remote mode: model answers after N failed self-checks
        f"--rubric={rubric_copy(layout, course.id)}",  # the workshop's rubric (班の成果物, 振り返り)
        f"--backup-status={home / names.BACKUP_STATUS_COPY}",  # the last backup (testbed_cli/backup_schedule.py)
    ]
    account = layout.grader_account(course.id) if system.is_root() else None
    return Program(name, command, user=account, directory=home, environment=env, priority=50)


def progress_healthy(layout: Layout, index: int) -> bool:
    course = layout.cfg.courses[index]
    url = f"http://127.0.0.1:{classroom_port(layout.cfg, index)}/services/{classroom_name(course.id)}/health"
    return _get(url)[0] == 200
