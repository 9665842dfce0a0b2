"""Idempotent install steps: Debian packages, the virtual environments, the proxy, the project code."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from testbed_cli import system
from testbed_cli.errors import SetupError
from testbed_cli.layout import REPO, Layout
from testbed_config import names

REQ = REPO / "testbed_cli" / "requirements"

# Debian packages the stack needs at run time and to build psycopg2 from source.
SYSTEM_PACKAGES = [
    "postgresql-15",
    "redis-server",
    "python3-venv",
    "python3-dev",
    "gcc",
    "libpq-dev",
    "libmagic1",
    "fonts-noto-cjk",
    # colour emoji (✅/❌/⚠ in the notebooks' self-check messages) for trainees' browsers on this machine
    # and the headless Chromium of the browser tests
    "fonts-noto-color-emoji",
    "bubblewrap",
    "locales",  # ja_JP.UTF-8 for the single-user servers (ensure_japanese_locale)
]
CHP_VERSION = "5.3.0"
# Installed as optional extras but never used, removed after the install (``pip check`` stays clean:
# only an extra asks for them). rfc3987-syntax builds ~35 Earley parsers with lark at import time,
# and jupyter_events imports it through jsonschema's format checkers in every single-user server,
# nbgrader and nbconvert process: ≈1.2 CPU-s and ≈16 MiB each (python-jsonschema/jsonschema#1428).
# No Jupyter schema uses the "iri" formats it checks.
PRUNE = {"hub.txt": ["rfc3987-syntax", "lark"]}
# Project packages installed into <prefix>/app and put on the hub venv's path.
APP_PACKAGES = ["testbed_config", "testbed_cli", "hub_config", "classroom", "ckan_seed", "grader"]
APP_DATA = ["courses"]
# What holds model answers and hidden tests (instructor notebooks, sources, keys, the wrong-answer catalogue):
# trainees have a shell on this machine (JupyterLab's terminal), so only root may read these folders, in the
# installed copy and in the checkout ./testbed up runs from. Trainees' self-checks live in the course package
# installed into the hub venv (testbed_cli/course_package.py), which stays readable.
ANSWER_FOLDERS = ["courses"]


def tree_hash(*paths: Path) -> str:
    """A digest of the files under ``paths`` (names and contents), ignoring caches."""
    h = hashlib.sha256()
    for base in paths:
        if base.is_file():
            h.update(base.name.encode())
            h.update(base.read_bytes())
            continue
        for p in sorted(base.rglob("*")):
            if {"__pycache__", ".ipynb_checkpoints"} & set(p.parts) or ".egg-info" in str(p) or not p.is_file():
                continue
            h.update(str(p.relative_to(base)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _stamp_ok(stamp: Path, digest: str) -> bool:
    return stamp.exists() and stamp.read_text().strip() == digest


def ensure_system_packages(log=print) -> list[str]:
    packages = list(SYSTEM_PACKAGES)
    if not (shutil.which("node") and shutil.which("npm")):
        # Node.js from another source (e.g. NodeSource) ships its own npm and conflicts with Debian's
        packages += ["nodejs", "npm"]
    return system.ensure_debs(packages, log=log)


def ensure_venv(venv: Path, requirements: Path, log=print) -> bool:
    """Create ``venv`` from Debian's Python and install ``requirements``; True when something changed."""
    digest = tree_hash(requirements) + "".join(f" -{name}" for name in PRUNE.get(requirements.name, []))
    stamp = venv / ".requirements.sha256"
    if (venv / "bin" / "python").exists() and _stamp_ok(stamp, digest):
        return False
    venv.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(venv.parent, 0o755)
    if not (venv / "bin" / "python").exists():
        log(f"仮想環境を作っています: {venv}")
        system.run(["/usr/bin/python3", "-m", "venv", str(venv)])
        system.run(
            [str(venv / "bin" / "pip"), "install", "-q", "-U", "pip==26.3", "setuptools==84.2.1", "wheel==0.48.0"]
        )
    log(f"Python パッケージを入れています: {venv.name} ({requirements.name})")
    system.run([str(venv / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", "-r", str(requirements)])
    if PRUNE.get(requirements.name):
        system.run([str(venv / "bin" / "pip"), "uninstall", "-q", "-y", *PRUNE[requirements.name]])
    system.run([str(venv / "bin" / "pip"), "check"])
    stamp.write_text(digest)
    return True


def ensure_chp(layout: Layout, log=print) -> bool:
    pkg = layout.node / "node_modules" / "configurable-http-proxy" / "package.json"
    if pkg.exists() and f'"version": "{CHP_VERSION}"' in pkg.read_text():
        return False
    log(f"configurable-http-proxy {CHP_VERSION} を npm から入れています")
    layout.node.mkdir(parents=True, exist_ok=True)
    system.run(
        [
            "npm",
            "install",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(layout.node),
            f"configurable-http-proxy@{CHP_VERSION}",
        ]
    )
    return True


def ensure_app(layout: Layout, log=print) -> bool:
    """Copy the project's packages into the prefix; True when the installed copy changed."""
    sources = [REPO / n for n in APP_PACKAGES + APP_DATA]
    digest = tree_hash(*sources)
    stamp = layout.app / ".tree.sha256"
    if _stamp_ok(stamp, digest):
        return False
    log(f"プロジェクトのコードを {layout.app} に入れています")
    tmp = layout.app.with_name("app.new")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for src in sources:
        shutil.copytree(src, tmp / src.name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    (tmp / ".tree.sha256").write_text(digest)
    for root, _dirs, files in os.walk(tmp):
        os.chmod(root, 0o755)
        for f in files:
            os.chmod(os.path.join(root, f), 0o644)
    protect_answers(tmp)
    old = layout.app.with_name("app.old")
    shutil.rmtree(old, ignore_errors=True)
    if layout.app.exists():
        layout.app.rename(old)
    tmp.rename(layout.app)
    shutil.rmtree(old, ignore_errors=True)
    return True


def protect_answers(root: Path) -> None:
    """Only root may enter the folders of ``root`` that hold model answers and hidden tests (ANSWER_FOLDERS)."""
    for name in ANSWER_FOLDERS:
        if (root / name).is_dir():
            os.chmod(root / name, 0o700)


def ensure_app_on_path(venv: Path, layout: Layout) -> None:
    site = next((venv / "lib").glob("python3*/site-packages"), None)
    if site is None:
        raise SetupError(
            f"{venv} に site-packages が見つかりません。{venv} を消してから ./testbed up をやり直してください。"
        )
    (site / "testbed_app.pth").write_text(str(layout.app) + "\n")


def ensure_ckanext(layout: Layout, log=print) -> bool:
    """Install ckanext-testbed into CKAN's venv when its source changed."""
    src = REPO / "ckanext-testbed"
    digest = tree_hash(src)
    stamp = layout.ckan_venv / ".ckanext-testbed.sha256"
    if _stamp_ok(stamp, digest):
        return False
    log("CKAN 拡張 ckanext-testbed を入れています")
    build = layout.cfg.prefix / "build" / "ckanext-testbed"
    shutil.rmtree(build, ignore_errors=True)
    shutil.copytree(src, build, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    system.run(
        [
            str(layout.ckan_venv / "bin" / "pip"),
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--force-reinstall",
            str(build),
        ]
    )
    shutil.rmtree(build, ignore_errors=True)
    stamp.write_text(digest)
    return True


# Generated outside the locale archive, where hub_config/configurer.py looks for it before giving the single-user
# servers LANG=ja_JP.UTF-8 (as the container image has). Besides the shell's own messages, JupyterLab's server
# translates with the system locale: its news notifications ("Open full post") stay English under LANG=C.UTF-8,
# since jupyterlab_server ignores the Japanese locale in overrides.json for its own strings.
JA_LOCALE_DIR = Path(names.JA_LOCALE_DIR)


def ensure_japanese_locale(log=print) -> bool:
    """Generate the ja_JP.UTF-8 locale (idempotent; root only); True when it was generated now."""
    if JA_LOCALE_DIR.exists() or not system.is_root() or not shutil.which("localedef"):
        return False
    log("日本語ロケール (ja_JP.UTF-8) を作っています")
    system.run(["localedef", "--no-archive", "-i", "ja_JP", "-f", "UTF-8", names.JA_LOCALE], check=False)
    return JA_LOCALE_DIR.exists()


class Pending:
    """What an ``up`` installed or changed but has not restarted yet, kept in ``<prefix>/.restart-pending`` until
    that ``up`` finishes: an ``up`` interrupted after copying the code (a pip error, Ctrl+C) must not leave the next
    ``up`` believing nothing changed, with services still running the old code."""

    def __init__(self, layout: Layout):
        self.path = layout.cfg.prefix / ".restart-pending"
        self.before = set(self.path.read_text().split()) if self.path.exists() else set()

    def note(self, key: str, changed: bool) -> bool:
        """``changed``, or still pending from an earlier ``up``; remembered until ``done``."""
        changed = bool(changed) or key in self.before
        if changed:
            now = set(self.path.read_text().split()) if self.path.exists() else set()
            if key not in now:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self.path.write_text("\n".join(sorted(now | {key})) + "\n")
        return changed

    def done(self) -> None:
        self.path.unlink(missing_ok=True)


def ensure_all(layout: Layout, log=print, pending: Pending | None = None) -> dict[str, bool]:
    """Every install step; returns which parts changed (so their services get restarted)."""
    pending = pending or Pending(layout)
    ensure_system_packages(log)
    ensure_japanese_locale(log)
    layout.cfg.prefix.mkdir(parents=True, exist_ok=True)
    os.chmod(layout.cfg.prefix, 0o755)
    changed = {
        "hub_venv": pending.note("hub_venv", ensure_venv(layout.hub_venv, REQ / "hub.txt", log)),
        "ckan_venv": pending.note("ckan_venv", ensure_venv(layout.ckan_venv, REQ / "ckan.txt", log)),
        "chp": pending.note("chp", ensure_chp(layout, log)),
        "app": pending.note("app", ensure_app(layout, log)),
    }
    ensure_app_on_path(layout.hub_venv, layout)
    if system.is_root():  # also an install made before answers were protected, and the checkout up runs from
        protect_answers(layout.app)
        protect_answers(REPO)
    changed["ckanext"] = pending.note("ckanext", ensure_ckanext(layout, log))
    return changed
