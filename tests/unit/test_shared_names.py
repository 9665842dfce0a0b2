"""Shared names are spelled once, in testbed_config/: no other product file spells a state file, a secret's
name, a service port or the time zone (issue #11: they were re-spelled in up to eight places)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from testbed_config import Ports
from testbed_config import names as n

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
# where product code lives: everything but the bottom floor that owns the names, the tests, and what runs
# where the project is not installed (the CKAN extension inside CKAN, docker/'s entrypoints in the images)
SKIP = ("testbed_config/", "tests/", "ckanext-testbed/", "docker/", ".git/")


def _patterns() -> dict[str, re.Pattern]:
    # per-course secrets are f-strings ending in -token / -certificate-key; "redis" is also a service name
    secrets = "|".join(re.escape(s) for s in n.SECRETS if "<" not in s and "-" in s)
    ports = "|".join(str(p) for p in sorted(set(Ports().model_dump().values())))
    return {
        "state file": re.compile(r"[\w-]+\.sqlite\b|gradebook\.db\b|progress-roster\.json"),
        "secret name": re.compile(rf"[\"'](?:{secrets})[\"']|\}}-token[\"']|\}}-certificate-key[\"']"),
        "port": re.compile(rf"(?<![\w.])(?:{ports})(?![\w.])"),
        "time zone": re.compile(r"Asia/Tokyo"),
    }


def spelled(repo: Path) -> list[str]:
    """Lines of product code (Python) outside testbed_config/ that spell a shared name."""
    found = []
    patterns = _patterns()
    for path in sorted(repo.rglob("*.py")):
        rel = path.relative_to(repo).as_posix()
        if rel.startswith(SKIP):
            continue
        for no, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            found += [f"{rel}:{no}: {kind}: {line.strip()}" for kind, p in patterns.items() if p.search(code)]
    return found


def test_is_every_shared_name_spelled_only_in_testbed_config():
    """Does no product file outside testbed_config/ spell a state file, secret, port or the time zone?"""
    assert spelled(REPO) == []


def test_would_a_re_spelled_name_be_caught(tmp_path):
    """Are a state file, a secret, a port and the zone each reported, and a comment ignored?"""
    (tmp_path / "grader").mkdir()
    (tmp_path / "grader" / "x.py").write_text(
        'db = home / "roster.sqlite"\n'
        'tok = read("hub-admin-token")\n'
        'url = "http://127.0.0.1:8000/"\n'
        'tz = ZoneInfo("Asia/Tokyo")\n'
        "# roster.sqlite in a comment is fine\n",
        encoding="utf-8",
    )
    kinds = [line.split(": ")[1] for line in spelled(tmp_path)]
    assert kinds == ["state file", "secret name", "port", "time zone"]
