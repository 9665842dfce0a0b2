"""Entry point of trainees' single-user servers: ``jupyterhub-singleuser``, minus one node process.

Importing ``jupyterlab.labapp`` computes JupyterLab's version (``get_app_version()`` at module level),
and on the way ``AppOptions`` asks ``node yarn.js config --json`` for an npm registry whenever Node.js
is on PATH (``jupyterlab/commands.py: _yarn_config``). A trainee's server builds nothing and never uses
that registry, but Node.js is on every PATH of this machine (the stack's proxy runs on it): the extra
node process costs about 0.3 CPU-s per server start, 12 CPU-s when a class of 40 signs in at once.

This entry point imports ``jupyterlab.labapp`` while PATH names only the virtualenv's ``bin``, then
restores PATH (kernels and terminals inherit the full one) and runs JupyterHub's own entry point.
``c.Spawner.cmd`` runs it as ``python -m hub_config.singleuser`` (hub_config/configurer.py).

On the server's first start it also places the course guide (はじめに, ``TESTBED_GUIDE``) in the home and makes it
the page the user lands on (``place_guide``; testbed_cli/lab_guide.py writes the guide). A team workspace gets the
workshop kit instead (``TESTBED_WORKSHOP``, set by the spawner for team servers only): each kit file its folder lacks,
and its guide (``TESTBED_WORKSHOP_GUIDE``) as the landing page when that was placed (``place_workshop``;
testbed_cli/workshop_kit.py installs the kit). Standard library only: this runs before every server start.
"""

from __future__ import annotations

import os
import shutil
import sys
from urllib.parse import quote


def place_guide(source: str, home: str) -> str:
    """Copy the course guide (はじめに, ``source``) into ``home`` when no file of that name is there; the name
    placed, or "" (no guide configured or shipped, or one already there: the user's own copy is left alone).

    Runs as the user (the server's own account), so a link the user planted at that name hurts no one else.
    """
    if not source or not os.path.isfile(source) or not home:
        return ""
    name = os.path.basename(source)
    return name if _copy_new(source, os.path.join(home, name)) else ""


def place_workshop(source: str, home: str) -> list[str]:
    """Copy each file of the workshop kit (the folder ``source``) into the team's ``home`` when no file of that name is
    there; the names placed, sorted ([] when no kit is configured or shipped). A file the team edited, renamed or
    replaced at that name is left alone; a file the team deleted comes back as shipped.

    Runs as the team's own account (the server's), like ``place_guide``: a link planted in the folder hurts no one else.
    """
    if not source or not os.path.isdir(source) or not home:
        return []
    placed = []
    for name in sorted(os.listdir(source)):
        path = os.path.join(source, name)
        if os.path.isfile(path) and not name.startswith(".") and _copy_new(path, os.path.join(home, name)):
            placed.append(name)
    return placed


def _copy_new(source: str, dest: str) -> bool:
    """``source`` copied to ``dest`` when nothing is there (never overwrites: opened "xb"); False otherwise."""
    try:
        with open(source, "rb") as src, open(dest, "xb") as out:
            shutil.copyfileobj(src, out)
    except OSError:  # already there (kept or edited by the user), or the home is not writable
        return False
    return True


def main() -> int | None:
    # first start: the guide is placed and opened instead of an empty JupyterLab (later starts: /lab as configured)
    home = os.environ.get("HOME", "")
    placed = place_guide(os.environ.get("TESTBED_GUIDE", ""), home)
    # a team workspace (the spawner names the kit for team servers only): its guide when it was placed
    kit = place_workshop(os.environ.get("TESTBED_WORKSHOP", ""), home)
    if os.environ.get("TESTBED_WORKSHOP_GUIDE") in kit:
        placed = os.environ["TESTBED_WORKSHOP_GUIDE"]
    if placed:
        os.environ["JUPYTERHUB_DEFAULT_URL"] = "/lab/tree/" + quote(placed)
    path = os.environ.get("PATH", "")
    os.environ["PATH"] = os.path.dirname(sys.executable)
    try:
        import jupyterlab.labapp  # noqa: F401  (imported once; the server's later import reuses it)
    finally:
        os.environ["PATH"] = path
    from jupyterhub.singleuser import main as singleuser_main

    return singleuser_main()


if __name__ == "__main__":
    sys.exit(main())
