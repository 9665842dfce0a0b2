"""Entry point of trainees' single-user servers: ``jupyterhub-singleuser``, minus one node process.

Importing ``jupyterlab.labapp`` computes JupyterLab's version (``get_app_version()`` at module level),
and on the way ``AppOptions`` asks ``node yarn.js config --json`` for an npm registry whenever Node.js
is on PATH (``jupyterlab/commands.py: _yarn_config``). A trainee's server builds nothing and never uses
that registry, but Node.js is on every PATH of this machine (the stack's proxy runs on it): the extra
node process costs about 0.3 CPU-s per server start, 12 CPU-s when a class of 40 signs in at once.

This entry point imports ``jupyterlab.labapp`` while PATH names only the virtualenv's ``bin``, then
restores PATH (kernels and terminals inherit the full one) and runs JupyterHub's own entry point.
``c.Spawner.cmd`` runs it as ``python -m hub_config.singleuser`` (hub_config/configurer.py).
"""

from __future__ import annotations

import os
import sys


def main() -> int | None:
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
