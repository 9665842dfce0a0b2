"""The データアカデミー workshop kit (``courses/workshop``) in the hub venv, for the team workspaces.

``./testbed up`` copies the kit's team files to ``<hub venv>/share/testbed/workshop`` (``names.WORKSHOP_DIR``),
readable by every account, under the Japanese names a team reads (``TEAM_FILES``; the repository keeps ASCII paths);
each team server copies the files its team's folder lacks on start (``hub_config/singleuser.py``). The facilitator
guide and the developers' README stay in the repository: they are not for team folders.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from testbed_cli.layout import REPO
from testbed_config import names

SOURCE = REPO / "courses" / "workshop"
# repository file (ASCII names, like the rest of the repository) -> the name a team finds in its folder, in the order
# its guide lists them
TEAM_FILES: dict[str, str] = {
    "session1_problem.ipynb": "第1回_課題の設定.ipynb",
    "session2_data.ipynb": "第2回_データで確かめる.ipynb",
    "session3_visualise.ipynb": "第3回_見える化.ipynb",
    "session4_next_action.ipynb": "第4回_仮説と次の一手.ipynb",
    "sample_problems.md": "サンプル課題.md",
    "team_guide.md": names.WORKSHOP_GUIDE,
}


def ensure(venv: Path, source: Path = SOURCE) -> bool:
    """The kit's team files in ``venv`` (files 0644, folder 0755), nothing else there; True when something changed.

    Idempotent: a file with the same bytes is not rewritten; a file no longer in the kit is removed (team folders keep
    their copies).
    """
    target = venv / names.WORKSHOP_DIR
    changed = False
    if not target.is_dir():
        target.mkdir(parents=True)
        changed = True
    if target.stat().st_mode & 0o7777 != 0o755:
        os.chmod(target, 0o755)
        changed = True
    for src, name in TEAM_FILES.items():
        data = (source / src).read_bytes()
        dest = target / name
        if not dest.is_file() or dest.is_symlink() or dest.read_bytes() != data:
            tmp = dest.with_name(f".{name}.new")
            tmp.write_bytes(data)
            os.chmod(tmp, 0o644)
            tmp.replace(dest)
            changed = True
        elif dest.stat().st_mode & 0o7777 != 0o644:
            os.chmod(dest, 0o644)
            changed = True
    for stale in target.iterdir():
        if stale.name not in TEAM_FILES.values():
            if stale.is_dir() and not stale.is_symlink():
                shutil.rmtree(stale)
            else:
                stale.unlink()
            changed = True
    return changed
