"""The CKAN opt-in of a graded assignment: the kernel reaches CKAN anonymously, and nothing else.

The course's *source* notebook declares ``{"testbed": {"network": "ckan"}}`` (as courses/odtb/build.py
does for notebooks that read the catalogue); the submission then probes what it can reach.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from grader.batch import REPO, grade_assignment

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(os.geteuid() != 0, reason="the sandbox drops to another account only as root"),
]

PROBE = """
import json, os, socket, urllib.request
url = os.environ["CKAN_URL"]
print("CKAN_URL", url)
found = [k for k in os.environ if "TOKEN" in k or "API_KEY" in k]
print("ATTACK-SUCCEEDED token in env" if found else "no token in env", found)
names = json.load(urllib.request.urlopen(url + "/api/3/action/package_list", timeout=20))["result"]
print("CKAN-READ-OK", len(names))
body = json.dumps({"name": "pwned-by-kernel"}).encode()
headers = {"Content-Type": "application/json"}
req = urllib.request.Request(url + "/api/3/action/package_create", data=body, headers=headers)
try:
    urllib.request.urlopen(req, timeout=20)
    print("ATTACK-SUCCEEDED anonymous write")
except urllib.error.HTTPError as e:
    print("write refused", e.code)
for host, port in __TARGETS__:
    try:
        socket.create_connection((host, port), timeout=2).close()
        print("ATTACK-SUCCEEDED network", host, port)
    except OSError as e:
        print("blocked", host, port, type(e).__name__)
def goukei(xs):
    return sum(xs)
"""


@pytest.fixture(scope="module")
def graded(layout, tmp_path_factory):
    base = tmp_path_factory.mktemp("netopt")
    os.chmod(base, 0o700)
    root = base / "course"
    ports = layout.cfg.ports
    # every other service of the stack, on loopback and on the machine's own addresses, plus outside
    targets = [("127.0.0.1", p) for p in (ports.hub, ports.hub_api, ports.proxy_api, ports.postgres, ports.redis)]
    targets += [("10.0.0.1", 80), ("1.1.1.1", 443)]
    (base / "probe").write_text(PROBE.replace("__TARGETS__", repr(targets)))
    hub_bin = layout.hub_venv / "bin"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(base)}
    subprocess.run(
        [str(hub_bin / "python"), "-m", "grader.coursebuilder", str(root), "net", "a1", str(hub_bin / "nbgrader"),
         f"prober={base / 'probe'}"],
        check=True, capture_output=True, env=env,
    )  # fmt: skip
    src = root / "source" / "a1" / "kadai.ipynb"
    nb = json.loads(src.read_text())
    nb["metadata"]["testbed"] = {"network": "ckan"}
    src.write_text(json.dumps(nb))
    result = grade_assignment(
        root=root, course="net", assignment="a1", python=hub_bin / "python", workers=1, timeout=60,
        notebook_timeout=120, ckan_url=layout.cfg.ckan_internal_url, log_path=base / "grading.log",
    )  # fmt: skip
    out = json.loads((root / "autograded" / "prober" / "a1" / "kadai.ipynb").read_text())
    texts = [o.get("text", "") for c in out["cells"] for o in c.get("outputs", [])]
    text = "".join("".join(t) if isinstance(t, list) else t for t in texts)
    return {"result": result, "text": text, "targets": targets, "log": (base / "grading.log").read_text()}


def test_does_an_opted_in_kernel_read_ckan_anonymously(graded):
    """Does the kernel of an opted-in assignment read the catalogue, with no token in its environment?"""
    assert graded["result"].graded["prober"]["score"] == 2, graded["log"][-3000:]
    assert "CKAN-READ-OK" in graded["text"], graded["text"]
    assert "no token in env" in graded["text"]


def test_can_an_opted_in_kernel_not_write_to_ckan(graded):
    """Is an anonymous write through the relay refused by CKAN?"""
    assert "write refused 403" in graded["text"], graded["text"]


def test_can_an_opted_in_kernel_reach_nothing_but_ckan(graded):
    """Are the hub, the proxy API, PostgreSQL, Redis and outside addresses all unreachable?"""
    assert "ATTACK-SUCCEEDED" not in graded["text"], graded["text"]
    for host, port in graded["targets"]:
        assert f"blocked {host} {port}" in graded["text"]
