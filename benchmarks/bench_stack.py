"""Stack benchmark: cold install, warm `up`, and idle memory per service. Prints a table.

    python benchmarks/bench_stack.py            # the running stack: no-op `up` and idle memory
    python benchmarks/bench_stack.py --cold     # a throw-away stack in /tmp with its own ports:
                                                # cold install + first up, down, warm up, memory

Targets (issue "Local stack"): warm up <= 15 s to all-healthy, cold install <= 5 min on 2 cores,
idle stack (no trainees) <= 1.2 GB RSS. Debian packages are machine-wide, so a cold run here
measures everything the project installs itself (venvs, npm proxy, databases, accounts).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from testbed_cli import supervisor  # noqa: E402
from testbed_config import load_config  # noqa: E402
from testbed_config.layout import Layout  # noqa: E402


class Failed(Exception):
    pass


def testbed(config: Path | None, *args: str) -> float:
    cmd = [str(REPO / "testbed")]
    if config:
        cmd += ["--config", str(config)]
    t0 = time.monotonic()
    proc = subprocess.run([*cmd, *args], capture_output=True, text=True)
    took = time.monotonic() - t0
    if proc.returncode != 0:
        raise Failed(f"{' '.join(args)} failed:\n{proc.stderr[-3000:]}")
    return took


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            child = int(stat.parent.name)
            out += [child, *_children(child)]
    return out


def mem_mib(pid: int) -> tuple[float, float]:
    """(RSS, PSS) of a process and all its descendants, MiB. RSS counts shared pages in every process
    (PostgreSQL's shared buffers, forked gunicorn workers); PSS splits them fairly."""
    rss = pss = 0
    for p in [pid, *_children(pid)]:
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            pass
    return rss / 1024, pss / 1024


def memory(layout: Layout) -> dict[str, tuple[float, float]]:
    return {name: mem_mib(info["pid"]) for name, info in supervisor.states(layout).items() if info["pid"]}


def table(rows: list[tuple[str, str, str]]) -> str:
    w = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = [" | ".join(c.ljust(w[i]) for i, c in enumerate(r)) for r in rows]
    lines.insert(1, "-+-".join("-" * x for x in w))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cold", action="store_true", help="measure a cold install in a throw-away stack")
    ap.add_argument("--keep", action="store_true", help="with --cold: keep the throw-away stack")
    args = ap.parse_args()
    rows = [("measure", "value", "target")]
    try:
        measure(args, rows)
    except Failed as e:
        sys.exit(str(e))
    finally:
        if args.cold and not args.keep and _sandbox:
            subprocess.run([str(REPO / "testbed"), "--config", str(_sandbox[0]), "down"], capture_output=True)
            shutil.rmtree(_sandbox[0].parent, ignore_errors=True)
    print(table(rows))


_sandbox: list[Path] = []


def measure(args, rows: list[tuple[str, str, str]]) -> None:
    config = None
    if args.cold:
        tmp = Path(tempfile.mkdtemp(prefix="testbed-bench-"))
        tmp.chmod(0o755)
        config = tmp / "testbed.yaml"
        _sandbox.append(config)
        config.write_text(
            f"state_dir: {tmp / 'state'}\nprefix: {tmp / 'opt'}\nports:\n  hub: 28000\n  ckan: 25000\n"
            "  hub_api: 28081\n  proxy_api: 28001\n  postgres: 25433\n  redis: 26380\n  services: 29100\n"
        )
        rows.append(("cold install + first up", f"{testbed(config, 'up'):.1f} s", "<= 300 s"))
        rows.append(("down", f"{testbed(config, 'down'):.1f} s", ""))
        rows.append(("warm up (from stopped)", f"{testbed(config, 'up'):.1f} s", "<= 15 s"))
    rows.append(("up again (all running, no-op)", f"{testbed(config, 'up'):.1f} s", ""))
    time.sleep(5)  # let the services settle to idle
    layout = Layout(load_config(config))
    mem = memory(layout)
    for name, (rss, pss) in sorted(mem.items()):
        rows.append((f"idle {name} (RSS / PSS)", f"{rss:.0f} / {pss:.0f} MiB", ""))
    total_rss = sum(r for r, _ in mem.values())
    total_pss = sum(p for _, p in mem.values())
    rows.append(("idle whole stack (RSS / PSS)", f"{total_rss:.0f} / {total_pss:.0f} MiB", "<= 1229 MiB (1.2 GB)"))


if __name__ == "__main__":
    main()
