"""The whole suite (``./testbed test`` with no arguments, as root): ckanext-testbed's tests inside real CKAN and the
unit tier run beside the main pytest run (integration and browser tiers) instead of before or within it.

The CKAN-level tests share nothing with the main run but the stack's PostgreSQL cluster and Redis (they have
databases, a Redis database and a site id of their own: ``ckanext_tests``); the unit tier needs no service at all.
So they overlap: the CKAN-level run (about 100 s) and the unit tier (about 25 s) are hidden behind the main run's
first minutes. Their output goes to files and is printed after the main run, followed by the main run's summary
line again, so the last line stays the main run's result.

The few main-run tests that stop or kill PostgreSQL or Redis (modules named ``test_zz_*``) must not do so while the
CKAN-level tests still run: this process holds an exclusive ``flock`` on ``LOCK_NAME`` until they end, and
``tests/conftest.py`` takes a shared lock on it (``LOCK_ENV``) before such a module starts.
"""

from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import threading

from testbed_cli import ckanext_tests
from testbed_cli.layout import REPO, Layout

LOCK_ENV = "TESTBED_CKANEXT_LOCK"
LOCK_NAME = "running.lock"
OUTPUT_NAME = "last-run.log"
UNIT_OUTPUT_NAME = "last-unit-run.log"
MAIN_TIERS = "integration or browser"


class CkanLevelRun:
    """The CKAN-level tests in the background, their output kept in a 0600 file of their private folder."""

    def __init__(self, layout: Layout, log=print):
        self.layout = layout
        self.log = log
        self.proc: subprocess.Popen | None = None
        self.lock_path = ckanext_tests.test_dir(layout) / LOCK_NAME
        self.output = ckanext_tests.test_dir(layout) / OUTPUT_NAME
        self._lock_fd = -1
        self._waiter: threading.Thread | None = None

    def start(self) -> None:
        python = ckanext_tests.prepare(self.layout, self.log)  # the folder exists (0700) after this
        self._lock_fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        out = os.open(self.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            cmd = [*python, *ckanext_tests.pytest_command_args(ckanext_tests.ini_path(self.layout), [])]
            self.proc = subprocess.Popen(cmd, cwd=REPO, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        except BaseException:
            self._release()
            raise
        finally:
            os.close(out)
        self._waiter = threading.Thread(target=self._wait_and_release, daemon=True)
        self._waiter.start()

    def _wait_and_release(self) -> None:
        self.proc.wait()
        self._release()

    def _release(self) -> None:
        if self._lock_fd >= 0:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
            os.close(self._lock_fd)
            self._lock_fd = -1

    def finish(self) -> int:
        """Wait for the run, print its output; its exit code."""
        code = self.proc.wait()
        if self._waiter is not None:
            self._waiter.join()
        sys.stdout.write(self.output.read_text(encoding="utf-8", errors="replace"))
        sys.stdout.flush()
        return code


def run_passing_through(cmd: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run ``cmd`` with its output shown as it comes; (exit code, its last non-empty line)."""
    proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    tail = b""
    out = sys.stdout.buffer
    while chunk := os.read(proc.stdout.fileno(), 65536):
        out.write(chunk)
        out.flush()
        tail = (tail + chunk)[-4096:]
    proc.stdout.close()
    lines = [line for line in tail.decode("utf-8", errors="replace").splitlines() if line.strip()]
    return proc.wait(), (lines[-1] if lines else "")


def whole_suite(layout: Layout, pytest_cmd: list[str], env: dict[str, str], log=print) -> tuple[int, bool, bool]:
    """The main run (``pytest_cmd`` with the integration and browser tiers) with the CKAN-level run and the unit tier
    beside it: (main run's exit code, did the CKAN-level run fail, did the unit tier fail)."""
    background = CkanLevelRun(layout, log)
    background.start()
    unit_log = ckanext_tests.test_dir(layout) / UNIT_OUTPUT_NAME
    out = os.open(unit_log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        unit_cmd = [*pytest_cmd, "-m", "unit"]
        quiet = {"stdin": subprocess.DEVNULL, "stdout": out, "stderr": subprocess.STDOUT}
        unit = subprocess.Popen(unit_cmd, cwd=REPO, env=env, **quiet)
    finally:
        os.close(out)
    try:
        code, summary = run_passing_through(
            [*pytest_cmd, "-m", MAIN_TIERS], {**env, LOCK_ENV: str(background.lock_path)}
        )
    finally:
        ckan_code = background.finish()
        unit_code = unit.wait()
        sys.stdout.write(unit_log.read_text(encoding="utf-8", errors="replace"))
    if summary:  # the main run's result stays the last line
        print(f"\n{summary}", flush=True)
    return code, ckan_code != 0, unit_code != 0
