"""How long does the whole odtb curriculum take to execute (lessons + instructor solutions)?

Target: everything in ≤ 5 minutes on 2 cores. Creates a throwaway CKAN user with a sandbox
organisation (sysadmin token from the state directory), executes every lesson notebook and every
assignment's instructor version (solutions and hidden tests included) one after another in the hub
venv's kernel, prints a table with per-notebook times, then purges the user's datasets and organisation.

    /opt/testbed/venvs/cli/bin/python benchmarks/bench_curriculum.py [--ckan-url URL] [--state DIR]
"""

from __future__ import annotations

import argparse
import secrets
import sys
import tempfile
import time
from pathlib import Path

import ckanapi

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "courses" / "odtb"))
sys.path.insert(0, str(REPO))

import runner  # noqa: E402

from testbed_config import StackConfig, names  # noqa: E402

TARGET_SECONDS = 300


def _sandbox(admin: ckanapi.RemoteCKAN, name: str) -> str:
    admin.action.user_create(name=name, email=f"{name}@example.invalid", password=secrets.token_urlsafe(18))
    admin.action.organization_create(name=name, title=f"{name} のサンドボックス")
    admin.action.organization_member_create(id=name, username=name, role="editor")
    return admin.action.api_token_create(user=name, name="bench")["token"]


def _cleanup(admin: ckanapi.RemoteCKAN, name: str) -> None:
    try:
        org = admin.action.organization_show(id=name)
        for ds in admin.action.package_search(fq=f'owner_org:"{org["id"]}"', include_private=True, rows=100)["results"]:
            admin.action.dataset_purge(id=ds["id"])
        admin.action.organization_purge(id=name)
    except ckanapi.NotFound:
        pass
    try:
        admin.action.user_delete(id=name)
    except ckanapi.NotFound:
        pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ckan-url", default=StackConfig().ckan_internal_url)
    ap.add_argument("--state", default="/var/lib/testbed")
    opts = ap.parse_args()
    token = (Path(opts.state) / "secrets" / names.CKAN_ADMIN_TOKEN).read_text().strip()
    admin = ckanapi.RemoteCKAN(opts.ckan_url, apikey=token, user_agent="bench-curriculum")
    name = f"benchodtb{secrets.token_hex(3)}"
    notebooks = [nb for m in runner.modules() for nb in [*runner.lessons(m), runner.assignment(m)]]
    try:
        env = {"CKAN_URL": opts.ckan_url, "CKAN_API_TOKEN": _sandbox(admin, name)}
        with tempfile.TemporaryDirectory() as work:
            started = time.monotonic()
            results = runner.execute(notebooks, Path(work), env)
            wall = time.monotonic() - started
    finally:
        _cleanup(admin, name)
    print(f"{'notebook':<34} {'seconds':>8}  result")
    for r in results:
        status = "ok" if r["error"] is None else "ERROR: " + r["error"].strip().splitlines()[-1][:60]
        print(f"{Path(r['notebook']).name:<34} {r['seconds']:>8.2f}  {status}")
    kernel_total = sum(r["seconds"] for r in results)
    print(f"{'sum of notebooks':<34} {kernel_total:>8.2f}")
    print(f"{'wall clock (incl. start-up)':<34} {wall:>8.2f}  target ≤ {TARGET_SECONDS} s")
    ok = wall <= TARGET_SECONDS and all(r["error"] is None for r in results)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
