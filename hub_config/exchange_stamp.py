"""When feedback was last released in nbgrader's exchange, for the cheap question of the feedback notice
(hub_config/nbgrader_lazy.py's ``/testbed/nbgrader_loaded``, testbed_cli/lab_feedback_notice.py).
Standard library only."""

from __future__ import annotations

import os


def feedback_stamp(exchange_root: str) -> str:
    """When feedback was last released in any course of the exchange: the newest modification time (ns) of the
    courses' ``feedback`` folders (nbgrader adds a file there per released notebook); '' when unknown."""
    newest = 0
    try:
        with os.scandir(exchange_root) as courses:
            for course in courses:
                try:
                    newest = max(newest, os.stat(os.path.join(course.path, "feedback")).st_mtime_ns)
                except OSError:
                    pass
    except OSError:
        return ""
    return str(newest) if newest else ""
