"""Bring the local stack up, down, and report its health."""

from __future__ import annotations

import errno
import os
import socket
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime

import yaml

from testbed_cli import ckan, hub, install, postgres, progress, redis, supervisor, system, team_workspaces
from testbed_cli.errors import SetupError
from testbed_cli.layout import Layout
from testbed_cli.supervisor import Program
from testbed_config import japan_time, names
from testbed_config.names import classroom_port

# on-site mode's program that refreshes feedback after manual grading (remote mode's autograder does it too)
FEEDBACK_WATCHER = "feedback-watcher"


def programs(layout: Layout) -> list[Program]:
    svc_user = ckan.service_user()
    return [
        Program(
            "postgres",
            postgres.server_command(layout),
            user=postgres.service_user(),
            priority=10,
            stopsignal="INT",
            stopwaitsecs=60,
        ),
        Program("redis", redis.command(layout), user=svc_user, priority=10),
        Program(
            "ckan-web",
            ckan.web_command(layout),
            user=svc_user,
            priority=20,
            directory=layout.ckan_dir,
            environment={"CKAN_INI": str(layout.ckan_ini), "HOME": str(layout.ckan_dir)},
        ),
        Program(
            "ckan-worker",
            ckan.worker_command(layout),
            user=svc_user,
            priority=20,
            directory=layout.ckan_dir,
            environment={"CKAN_INI": str(layout.ckan_ini), "HOME": str(layout.ckan_dir)},
        ),
        Program(
            "ckan-tracking",
            ckan.tracking_command(layout),
            user=svc_user,
            priority=25,
            directory=layout.ckan_dir,
            environment={"CKAN_INI": str(layout.ckan_ini), "HOME": str(layout.ckan_dir)},
        ),
        Program(
            "proxy",
            hub.proxy_command(layout),
            user=svc_user,
            priority=30,
            environment={
                "CONFIGPROXY_AUTH_TOKEN": _secret(layout, names.PROXY_AUTH_TOKEN),
                "TESTBED_PROXY_ROUTES": str(layout.proxy_dir / "routes.json"),
                **hub.proxy_socket_environment(layout),
            },
            socket=hub.proxy_socket(layout),
        ),
        Program(
            "hub",
            hub.hub_command(layout),
            priority=40,
            directory=layout.hub_dir,
            environment={"TESTBED_STACK": str(layout.stack_yaml), "PYTHONUNBUFFERED": "1"},
            stopwaitsecs=30,
        ),
        *(hub.formgrader_program(layout, i) for i in range(len(layout.cfg.courses))),
        *(progress.progress_program(layout, i) for i in range(len(layout.cfg.courses))),
        autograder_program(layout) if layout.cfg.mode == "remote" else feedback_watcher_program(layout),
        guardian_program(layout),
        *([backup_program(layout)] if layout.cfg.backup.daily_at else []),
    ]


def backup_program(layout: Layout) -> Program:
    """With ``backup.daily_at``: backs the stack up every day at that time (testbed_cli/backup_schedule.py), as
    root (homes and secrets), from the installed copy like the guardian."""
    from testbed_cli import backup_schedule

    return Program(
        backup_schedule.NAME,
        [sys.executable, "-m", "testbed_cli.backup_schedule", "--stack", str(layout.stack_yaml)],
        priority=70,
        directory=layout.app,
        environment={"PYTHONUNBUFFERED": "1", "HOME": str(layout.state), "PYTHONPATH": str(layout.app)},
        stopwaitsecs=30,  # a backup in progress is abandoned, its .partial folder removed (pg_dump killed)
    )


def guardian_program(layout: Layout) -> Program:
    """The event listener that resyncs routes after a proxy restart, kills what a crashed program left, and
    (without systemd) restores supervision when supervisord dies (testbed_cli/guardian.py); as root."""
    from testbed_cli import guardian, supervision

    command = [sys.executable, "-m", "testbed_cli.guardian", "--stack", str(layout.stack_yaml)]
    return Program(
        guardian.NAME,
        command + ([] if supervision.has_systemd() else ["--recover"]),
        priority=1,
        # the installed copy, like every other service: the checkout may move or vanish (CI clones)
        directory=layout.app,
        environment={"PYTHONUNBUFFERED": "1", "HOME": str(layout.state), "PYTHONPATH": str(layout.app)},
        events=guardian.EVENTS,
        stopwaitsecs=5,
    )


def autograder_program(layout: Layout) -> Program:
    """Remote mode: grades new submissions and releases their feedback by itself (grader.auto), as root
    so each trainee's code runs as that trainee in the sandbox."""
    return Program(
        "autograder",
        [str(layout.hub_venv / "bin" / "python"), "-m", "grader.auto", "--stack", str(layout.stack_yaml)],
        priority=60,
        directory=layout.state,
        environment={"PYTHONUNBUFFERED": "1", "TZ": japan_time.ZONE_NAME, "HOME": str(layout.state)},
        stopwaitsecs=60,  # let a round in progress finish its current submissions
    )


def feedback_watcher_program(layout: Layout) -> Program:
    """On-site mode: after an instructor grades by hand in the formgrader, regenerates and releases that
    trainee's feedback (grader.auto --feedback-only; remote mode's autograder does this too), as root."""
    prog = autograder_program(layout)
    return Program(
        FEEDBACK_WATCHER,
        [*prog.command, "--feedback-only", "--interval", "15"],
        priority=prog.priority,
        directory=prog.directory,
        environment=prog.environment,
        stopwaitsecs=prog.stopwaitsecs,
    )


def autograder_healthy(layout: Layout) -> bool:
    """Running, and its heartbeat (each round and each graded submission) is recent."""
    from grader.auto import heartbeat_path

    if supervisor.states(layout).get("autograder", {}).get("statename") != "RUNNING":
        return False
    try:
        age = time.time() - heartbeat_path(layout).stat().st_mtime
    except OSError:
        return False
    return age <= 3 * layout.cfg.remote.autograde_interval_seconds + 600


def _secret(layout: Layout, name: str) -> str:
    from testbed_cli import secrets

    return secrets.get(layout.state, name)


# ---------------------------------------------------------------------------------------------
# health


def checks(layout: Layout) -> dict[str, Callable[[], bool]]:
    c = {
        "postgres": lambda: postgres.is_ready(layout),
        "redis": lambda: redis.is_ready(layout),
        "ckan-web": lambda: ckan.is_healthy(layout),
        "ckan-worker": lambda: worker_healthy(layout),
        "ckan-tracking": lambda: supervisor.states(layout).get("ckan-tracking", {}).get("statename") == "RUNNING",
        "proxy": lambda: hub.proxy_healthy(layout),
        "hub": lambda: hub.hub_healthy(layout),
    }
    for i, course in enumerate(layout.cfg.courses):
        c[f"formgrader-{course.id}"] = lambda i=i: hub.formgrader_healthy(layout, i)
        c[f"progress-{course.id}"] = lambda i=i: progress.progress_healthy(layout, i)
    if layout.cfg.mode == "remote":
        c["autograder"] = lambda: autograder_healthy(layout)
    else:
        c[FEEDBACK_WATCHER] = lambda: supervisor.states(layout).get(FEEDBACK_WATCHER, {}).get("statename") == "RUNNING"
    c["guardian"] = lambda: supervisor.states(layout).get("guardian", {}).get("statename") == "RUNNING"
    if layout.cfg.backup.daily_at:
        c["backup"] = lambda: supervisor.states(layout).get("backup", {}).get("statename") == "RUNNING"
    return c


# RQ refreshes an idle worker's heartbeat every worker_ttl - 15 s (420 s by default); allow one missed beat
WORKER_HEARTBEAT_MAX_AGE = 420 + 120


def worker_healthy(layout: Layout) -> bool:
    """CKAN's jobs worker: the supervised process is running and is the worker registered in Redis, with a
    recent heartbeat. (A killed worker's registration stays in Redis for minutes: counting keys lies.)"""
    info = supervisor.states(layout).get("ckan-worker", {})
    if info.get("statename") != "RUNNING" or not info.get("pid"):
        return False
    beat = redis.worker_heartbeats(layout).get(info["pid"])
    return beat is not None and (datetime.now(UTC) - beat).total_seconds() <= WORKER_HEARTBEAT_MAX_AGE


def wait_healthy(layout: Layout, names: list[str], timeout: float = 120, log=print) -> None:
    """Poll health checks until all pass; on timeout name the service and show its log."""
    all_checks = checks(layout)
    pending = list(names)
    deadline = time.monotonic() + timeout
    while pending and time.monotonic() < deadline:
        pending = [n for n in pending if not all_checks[n]()]
        if pending:
            time.sleep(0.25)
    if pending:
        name = pending[0]
        logname = name
        tail = tail_log(layout, logname, 30)
        raise SetupError(
            f"サービス {name} が {int(timeout)} 秒たっても正常になりません。\n"
            f"--- {layout.logs / (logname + '.log')} の最後 ---\n{tail}\n---\n"
            f"原因を直してから ./testbed up をもう一度実行してください (詳しくは ./testbed logs {logname})。"
        )


def tail_log(layout: Layout, name: str, lines: int = 50) -> str:
    path = layout.logs / f"{name}.log"
    if not path.exists():
        return "(ログはまだありません)"
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - 64 * 1024))
        data = f.read().decode("utf-8", "replace")
    return "\n".join(data.splitlines()[-lines:])


# state shown for a service that runs while its supervisord is gone (nothing would restart it)
UNSUPERVISED = "UNSUPERVISED"


def status(layout: Layout) -> dict:
    """Each service's supervisord state and health; healthy means RUNNING under supervisord and its check passes."""
    from testbed_cli import processes

    cfg = layout.cfg
    supervised = supervisor.is_running(layout)
    states = supervisor.states(layout) if supervised else {}
    orphans: dict[str, int] = {}
    for p in [] if supervised else sorted(processes.marked(layout.supervisor_sock), key=lambda p: p.pid):
        orphans.setdefault(p.name, p.pid)
    services = {}
    for name, check in checks(layout).items():
        info = states.get(name, {})
        state = info.get("statename") or (UNSUPERVISED if name in orphans else "STOPPED")
        healthy = False
        if state == "RUNNING":
            try:
                healthy = bool(check())
            except Exception:  # a health probe must never crash status
                healthy = False
        services[name] = {"healthy": healthy, "state": state, "pid": info.get("pid") or orphans.get(name)}
    return {
        "supervisor": {"running": supervised},
        "urls": {"hub": cfg.hub_url, "ckan": cfg.ckan_url},
        "mode": cfg.mode,
        "demo_mode": not system.is_root(),
        "state_dir": str(cfg.state_dir),
        "services": services,
    }


# ---------------------------------------------------------------------------------------------
# up / down

PORT_KEYS = {
    "hub": "proxy",
    "ckan": "ckan-web",
    "hub_api": "hub",
    "proxy_api": "proxy",
    "postgres": "postgres",
    "redis": "redis",
}


def check_ports(layout: Layout) -> None:
    """Fail early, before anything is written, when a port belongs to another program."""
    cfg = layout.cfg
    running = {
        n for n, i in supervisor.states(layout).items() if i.get("statename") in ("RUNNING", "STARTING", "BACKOFF")
    }
    addrs = {"hub": cfg.bind_address, "ckan": cfg.bind_address}
    ports = cfg.ports.model_dump()
    wanted = []  # (config key, port, program that owns it)
    for key, port in ports.items():
        if key == "services":
            wanted += [(key, port + i, f"formgrader-{c.id}") for i, c in enumerate(cfg.courses)]
            wanted += [(key, classroom_port(cfg, i), f"progress-{c.id}") for i, c in enumerate(cfg.courses)]
        else:
            wanted.append((key, port, PORT_KEYS[key]))
    for key, number, owner in wanted:
        if owner in running:
            continue
        addr = addrs.get(key, "127.0.0.1")
        with socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((addr, number))
            except OSError as e:
                if e.errno == errno.EADDRINUSE:
                    raise SetupError(
                        f"ポート {number} (設定キー ports.{key}) は他のプログラムが使っています。\n"
                        f"そのプログラムを止めるか、設定ファイルで ports.{key} を空いている番号にしてから、"
                        "もう一度 ./testbed up を実行してください。"
                    ) from None
                if e.errno == errno.EADDRNOTAVAIL:
                    raise SetupError(
                        f"bind_address {addr} はこのマシンのアドレスではありません。"
                        "設定ファイルの bind_address を直してください (ip addr で確認できます)。"
                    ) from None
                raise


def write_stack_yaml(layout: Layout) -> bool:
    layout.run.mkdir(parents=True, exist_ok=True)
    data = layout.cfg.model_dump(mode="json")
    text = "# Effective stack config written by ./testbed up (read by the running services).\n"
    text += yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path = layout.stack_yaml
    changed = not path.exists() or path.read_text(encoding="utf-8") != text
    if changed:
        path.write_text(text, encoding="utf-8")
    os.chmod(path, 0o644)
    return changed


def prepare_state_dir(layout: Layout) -> None:
    st = layout.state
    st.mkdir(parents=True, exist_ok=True)
    # traversable (not listable) so trainees reach the nbgrader exchange; everything else is private
    os.chmod(st, 0o711)
    layout.run.mkdir(exist_ok=True)
    os.chmod(layout.run, 0o711)
    layout.logs.mkdir(exist_ok=True)
    os.chmod(layout.logs, 0o750)


def up(layout: Layout, log=print) -> dict:
    from testbed_cli import supervision

    t0 = time.monotonic()
    # orphans exist only where a supervisord of this state ran before; a fresh install writes nothing here
    if layout.supervisor_conf.exists() and not supervisor.is_running(layout):
        stopped = supervision.stop_orphans(layout)
        if stopped:
            log(f"supervisord が止まっていたため、監視されずに動いていたサービスを止めました: {', '.join(stopped)}")
    check_ports(layout)
    pending = install.Pending(layout)
    changed = install.ensure_all(layout, log, pending)
    prepare_state_dir(layout)
    if system.is_root():
        system.ensure_system_user(ckan.SERVICE_USER, layout.ckan_dir)
    stack_changed = pending.note("stack", write_stack_yaml(layout))
    postgres.ensure_cluster(layout, log)
    redis.ensure_config(layout, ckan.service_user())
    hub.ensure_proxy_dir(layout, ckan.service_user())
    ckan_changed = pending.note("ckan_files", ckan.ensure_files(layout))
    hub.ensure_hub_state(layout, log)
    progress.ensure_state(layout)
    lab_changed = pending.note("lab", hub.ensure_singleuser_defaults(layout))

    progs = programs(layout)
    supervisor.write_config(layout, progs)
    if supervision.has_systemd():
        supervision.ensure_unit(layout, log)  # starts supervisord when it is not running
    if not supervisor.is_running(layout):
        log("サービスを起動しています")
        supervisor.start_daemon(layout, supervision.supervisord_path())
    else:
        supervisor.apply_config(layout)

    for name in ("postgres", "redis"):
        supervisor.ensure_started(layout, name)
    wait_healthy(layout, ["postgres", "redis"], timeout=60, log=log)
    postgres.ensure_ckan_databases(layout)
    ckan.ensure_database(layout, log)

    restart_ckan = ckan_changed or changed["ckan_venv"] or changed["ckanext"]
    restart_hub = stack_changed or changed["app"] or changed["hub_venv"] or lab_changed
    formgraders = [p.name for p in progs if p.name.startswith("formgrader-")]
    plan = [("ckan-web", restart_ckan), ("ckan-worker", restart_ckan), ("ckan-tracking", restart_ckan)]
    plan += [("proxy", False), ("hub", restart_hub)]
    plan += [(name, restart_hub) for name in formgraders]
    plan += [(p.name, restart_hub) for p in progs if p.name.startswith("progress-")]
    plan += [
        (p.name, changed["app"] or stack_changed)
        for p in progs
        if p.name in ("autograder", FEEDBACK_WATCHER, "guardian", "backup")
    ]
    for name, needs_restart in plan:
        if needs_restart and supervisor.states(layout)[name]["statename"] == "RUNNING":
            supervisor.restart(layout, name)
        else:
            supervisor.ensure_started(layout, name)
    wait_healthy(layout, ["ckan-web"], timeout=120, log=log)
    token = ckan.ensure_admin(layout, log)
    ckan.ensure_catalog(layout, token, log)
    ckan.ensure_usage(layout, token, log)
    ckan.ensure_sample_requests(layout, token, log)
    ckan.ensure_sample_usecases(layout, token, log)
    ckan.ensure_grader_reader(layout, token, log)  # the role-play's request checks, from the formgrader too
    wait_healthy(layout, list(checks(layout)), timeout=120, log=log)
    if system.is_root():  # team workspaces (班の作業場所) from the roster's teams; none in the one-account demo mode
        for problem in team_workspaces.sync_quietly(layout):
            log(f"注意: {problem}")
    supervision.wanted_marker(layout).touch()
    pending.done()  # every restart above is done and the stack is healthy
    result = status(layout)
    result["seconds"] = round(time.monotonic() - t0, 1)
    return result


def down(layout: Layout) -> dict[str, list[str]]:
    """Stop every service, supervised or orphaned; returns what was stopped ({"supervised": [...],
    "orphaned": [...]}). SetupError (non-zero exit) when anything of the stack is still running afterwards."""
    from testbed_cli import processes, supervision

    supervision.wanted_marker(layout).unlink(missing_ok=True)
    report: dict[str, list[str]] = {"supervised": [], "orphaned": []}
    if supervisor.is_running(layout):
        active = ("RUNNING", "STARTING", "BACKOFF", "STOPPING")
        report["supervised"] = [n for n, i in supervisor.states(layout).items() if i.get("statename") in active]
        supervisor.shutdown(layout)
    report["orphaned"] = sorted(supervision.stop_orphans(layout))
    left = sorted({f"{p.name} (pid {p.pid})" for p in processes.marked(layout.supervisor_sock)})
    if left:
        raise SetupError(f"止められなかったサービスがあります: {', '.join(left)}。ps -ef で確認してください。")
    return report
