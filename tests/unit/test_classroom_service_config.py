"""The progress boards' hub config and supervised programs, checked without a hub running."""

from __future__ import annotations

import pytest
from traitlets.config import Config

from hub_config import configurer
from testbed_cli import progress
from testbed_cli.layout import Layout
from testbed_config import StackConfig
from testbed_config.names import classroom_port

pytestmark = pytest.mark.unit


@pytest.fixture
def cfg(tmp_path):
    c = StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "opt")
    c.courses = [*c.courses, type(c.courses[0])(id="second", instructors=["teacher2"])]
    secrets = c.state_dir / "secrets"
    secrets.mkdir(parents=True)
    for name in (
        "proxy-auth-token",
        "hub-admin-token",
        "formgrader-odtb-token",
        "formgrader-second-token",
        "progress-odtb-token",
        "progress-second-token",
    ):
        (secrets / name).write_text("x" * 40)
    return c


def test_each_course_gets_a_board_on_a_port_after_the_formgraders(cfg):
    """Is there a board per course, each on its own port, none shared with a formgrader?"""
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    services = {s["name"]: s for s in c.JupyterHub.services}
    assert [n for n in services if n.startswith("progress-")] == ["progress-odtb", "progress-second"]
    ports = [s["url"].rsplit(":", 1)[1] for s in c.JupyterHub.services if "url" in s]
    assert len(ports) == len(set(ports)) == 4
    assert services["progress-second"]["url"] == f"http://127.0.0.1:{cfg.ports.services + 3}"


def test_board_role_reads_the_hub_but_cannot_change_it(cfg):
    """Does the board's own token only read users and groups (no admin, no writes)?"""
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    role = next(r for r in c.JupyterHub.load_roles if r["name"] == "progress-odtb-service")
    assert set(role["scopes"]) == {"read:users", "list:users", "read:groups", "list:groups"}


def test_only_the_cohort_and_instructors_may_open_a_board(cfg):
    """May exactly the course's trainees (nbgrader-<course>) and instructors (formgrade-<course>) open it?"""
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    role = next(r for r in c.JupyterHub.load_roles if r["name"] == "progress-second-access")
    assert role["groups"] == ["nbgrader-second", "formgrade-second"]
    assert role["scopes"] == ["access:services!service=progress-second", "read:services!service=progress-second"]


def test_no_board_without_its_token(cfg):
    """Is a board left out (instead of the hub failing to start) until ./testbed up has made its token?"""
    (cfg.state_dir / "secrets" / "progress-second-token").unlink()
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    assert "progress-second" not in [s["name"] for s in c.JupyterHub.services]
    assert "formgrader-second" in [s["name"] for s in c.JupyterHub.services]


def test_program_runs_the_board_as_the_grader_with_its_course_paths(cfg, monkeypatch):
    """Does supervisord run the board as the course's grader account, on its port, reading that course only?"""
    monkeypatch.setattr("testbed_cli.system.is_root", lambda: True)
    layout = Layout(cfg)
    prog = progress.progress_program(layout, 1)
    assert prog.name == "progress-second" and prog.user == "grader-second"
    args = " ".join(prog.command)
    assert "-m classroom.app" in args and f"--port={classroom_port(cfg, 1)}" in args
    assert f"--exchange={layout.exchange / 'second'}" in args
    assert f"--gradebook={layout.course_home('second') / 'second' / 'gradebook.db'}" in args
    assert "--unix-prefix=jupyter-" in args
    assert prog.environment["JUPYTERHUB_SERVICE_PREFIX"] == "/services/progress-second/"
    assert prog.environment["JUPYTERHUB_API_TOKEN"] == "x" * 40


def test_board_gets_the_pass_ratio_and_title_from_the_stack_config(cfg, monkeypatch):
    """Does the board get its course's pass ratio, title and source folder as options, and its certificate key
    (a secret of its own) only through the environment, never on the command line?"""
    monkeypatch.setattr("testbed_cli.system.is_root", lambda: True)
    cfg.courses[1].pass_ratio = 0.8
    cfg.courses[1].title = "第二 研修%"
    layout = Layout(cfg)
    prog = progress.progress_program(layout, 1)
    assert "--pass-ratio=0.8" in prog.command and "--title=第二 研修%" in prog.command
    assert f"--source={layout.course_home('second') / 'second' / 'source'}" in prog.command
    key = prog.environment["TESTBED_CERTIFICATE_KEY"]
    assert len(key) >= 40 and key == (cfg.state_dir / "secrets" / "progress-second-certificate-key").read_text().strip()
    assert key not in " ".join(prog.command)
    assert key != progress.progress_program(layout, 0).environment["TESTBED_CERTIFICATE_KEY"]
    assert '"--title=第二 研修%%"' in prog.render(layout.logs)  # quoted for supervisord


def test_trainees_servers_know_the_exchange_for_self_check_marks(cfg):
    """Do single-user servers (and so their kernels) get the exchange root the course's check() helper records
    into, while the grading sandbox's clean environment does not?"""
    from grader.sandbox import sandbox_env

    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    assert c.Spawner.environment["TESTBED_EXCHANGE"] == str(Layout(cfg).exchange)
    assert "TESTBED_EXCHANGE" not in sandbox_env()


def test_the_console_acts_on_servers_only_with_the_signed_in_persons_own_rights(cfg):
    """May the console's OAuth client ask for access to servers (which the hub narrows to the person's own rights:
    a trainee's own server, an admin's any), while the service's own token still reads only users and groups?"""
    c = Config()
    configurer.update_all(c, cfg, is_root=True)
    service = next(s for s in c.JupyterHub.services if s["name"] == "progress-odtb")
    # ... and for the instructors' sign-in locks (a custom scope only staff hold: the hub drops it for a trainee)
    assert service["oauth_client_allowed_scopes"] == ["access:servers", "custom:testbed:signin-locks"]
    own = next(r for r in c.JupyterHub.load_roles if r["name"] == "progress-odtb-service")
    assert not any("servers" in s for s in own["scopes"])
