"""Where people find the instructor's console (研修コンソール, the course's classroom service): a button on the
hub's home page and a 研修 menu in JupyterLab, for instructors and trainees alike (the console shows a trainee
only their own record). Pure: the home page reads ``home_links`` as a template variable (``update_pages``), and
``./testbed up`` writes ``add_console_menu`` into JupyterLab's settings overrides (``testbed_cli/hub.py``)."""

from __future__ import annotations

from testbed_config import StackConfig
from testbed_config.names import classroom_name

MAINMENU = "@jupyterlab/mainmenu-extension:plugin"
MENU_ID = "jp-mainmenu-testbed"  # a top-level menu of its own, right of ヘルプ
MENU_LABEL = "研修"
ITEM_LABEL = "研修コンソール (進捗)"


def console_url(course_id: str) -> str:
    """The console's page, from the hub's origin."""
    return f"/services/{classroom_name(course_id)}/"


def home_links(cfg: StackConfig) -> list[dict]:
    """One link per course; the home page shows those whose service the signed-in user may open, and names it for
    instructors (group ``formgrade-<course>``, hub admins) or trainees."""
    many = len(cfg.courses) > 1
    return [
        {
            "course": course.id,
            "service": classroom_name(course.id),
            "url": console_url(course.id),
            "suffix": f" ({course.title or course.id})" if many else "",
            "instructor_group": f"formgrade-{course.id}",
        }
        for course in cfg.courses
    ]


def menu(cfg: StackConfig) -> dict:
    """JupyterLab's 研修 menu: one entry per course opening its console in a new browser tab (``help:open``)."""
    many = len(cfg.courses) > 1
    items = [
        {
            "command": "help:open",
            "args": {
                "url": console_url(course.id),
                "text": ITEM_LABEL + (f": {course.title or course.id}" if many else ""),
                "newBrowserTab": True,
            },
            "rank": rank,
        }
        for rank, course in enumerate(cfg.courses)
    ]
    return {"id": MENU_ID, "label": MENU_LABEL, "rank": 1000, "items": items}


def add_console_menu(overrides: dict, cfg: StackConfig) -> dict:
    """Add the 研修 menu to JupyterLab's settings overrides, beside any other menus there."""
    menus = overrides.setdefault(MAINMENU, {}).setdefault("menus", [])
    menus[:] = [m for m in menus if m.get("id") != MENU_ID] + [menu(cfg)]
    return overrides
