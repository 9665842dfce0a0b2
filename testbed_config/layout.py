"""Where everything lives, derived from the stack config (one place for every path).

Read by the CLI, the hub config and the grader alike."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from testbed_config import StackConfig


@dataclass(frozen=True)
class Layout:
    cfg: StackConfig

    # install prefix (code and environments, readable by every trainee) ---------------
    @property
    def venvs(self) -> Path:
        return self.cfg.prefix / "venvs"

    @property
    def hub_venv(self) -> Path:
        return self.venvs / "hub"

    @property
    def ckan_venv(self) -> Path:
        return self.venvs / "ckan"

    @property
    def app(self) -> Path:
        """Installed copy of the project's Python packages (the checkout may move or vanish)."""
        return self.cfg.prefix / "app"

    @property
    def node(self) -> Path:
        return self.cfg.prefix / "node"

    @property
    def chp(self) -> Path:
        return self.node / "node_modules" / ".bin" / "configurable-http-proxy"

    # state (private) ---------------------------------------------------------------
    @property
    def state(self) -> Path:
        return self.cfg.state_dir

    @property
    def secrets(self) -> Path:
        return self.state / "secrets"

    @property
    def logs(self) -> Path:
        return self.state / "logs"

    @property
    def run(self) -> Path:
        return self.state / "run"

    @property
    def pg_data(self) -> Path:
        return self.state / "postgres" / "data"

    @property
    def pg_socket_dir(self) -> Path:
        return self.state / "postgres" / "run"

    @property
    def redis_dir(self) -> Path:
        return self.state / "redis"

    @property
    def proxy_dir(self) -> Path:
        """The proxy's routing table survives its restarts here (hub_config/proxy_routes.cjs)."""
        return self.state / "proxy"

    @property
    def ckan_dir(self) -> Path:
        return self.state / "ckan"

    @property
    def ckan_ini(self) -> Path:
        return self.ckan_dir / "ckan.ini"

    @property
    def ckan_storage(self) -> Path:
        return self.ckan_dir / "storage"

    @property
    def hub_dir(self) -> Path:
        return self.state / "hub"

    @property
    def exchange(self) -> Path:
        return self.state / "exchange"

    @property
    def courses_dir(self) -> Path:
        """Instructors' nbgrader course directories (one per course, owned by its grader account)."""
        return self.state / "courses"

    @property
    def stack_yaml(self) -> Path:
        """The effective stack config the running services read (written by ./testbed up)."""
        return self.run / "stack.yaml"

    def grader_account(self, course: str) -> str:
        return f"grader-{course}"

    def course_home(self, course: str) -> Path:
        """Home of a course's grader account; the nbgrader course root is ``<home>/<course>``."""
        return self.courses_dir / f"grader-{course}"

    @property
    def supervisor_conf(self) -> Path:
        return self.run / "supervisord.conf"

    @property
    def supervisor_sock(self) -> Path:
        return self.run / "supervisor.sock"
