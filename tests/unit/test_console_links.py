"""Unit tests of where people find the console: the hub home page's link and JupyterLab's 研修 menu."""

from __future__ import annotations

import pytest
from traitlets.config import Config

from hub_config import configurer, console_links
from testbed_config import Course, StackConfig

pytestmark = pytest.mark.unit


def _cfg(tmp_path, *courses: Course) -> StackConfig:
    return StackConfig(
        state_dir=tmp_path / "state", prefix=tmp_path / "opt", courses=list(courses) or [Course(id="odtb")]
    )


def test_jupyterlab_gets_a_kenshu_menu_opening_the_console_in_a_new_tab(tmp_path):
    """Does the overrides' 研修 menu run help:open on the console's URL in a new tab, beside other menus?"""
    overrides = {console_links.MAINMENU: {"menus": [{"id": "jp-mainmenu-help", "items": []}]}}
    console_links.add_console_menu(overrides, _cfg(tmp_path))
    console_links.add_console_menu(overrides, _cfg(tmp_path))  # idempotent
    menus = overrides[console_links.MAINMENU]["menus"]
    assert [m["id"] for m in menus] == ["jp-mainmenu-help", console_links.MENU_ID]
    (item,) = menus[1]["items"]
    assert menus[1]["label"] == "研修" and item["command"] == "help:open"
    assert item["args"] == {"url": "/services/progress-odtb/", "text": "研修コンソール (進捗)", "newBrowserTab": True}


def test_several_courses_get_one_entry_each_named_by_title(tmp_path):
    """With two courses, does each get its own menu entry and home link, named by its title?"""
    cfg = _cfg(tmp_path, Course(id="odtb", title="基礎"), Course(id="second", title="応用"))
    texts = [i["args"]["text"] for i in console_links.menu(cfg)["items"]]
    assert texts == ["研修コンソール (進捗): 基礎", "研修コンソール (進捗): 応用"]
    links = console_links.home_links(cfg)
    assert [(ln["service"], ln["url"], ln["suffix"]) for ln in links] == [
        ("progress-odtb", "/services/progress-odtb/", " (基礎)"),
        ("progress-second", "/services/progress-second/", " (応用)"),
    ]


def test_the_hub_home_page_is_given_the_console_links(tmp_path):
    """Does update_pages hand the home page template its console links?"""
    c = Config()
    configurer.update_pages(c, _cfg(tmp_path))
    (link,) = c.JupyterHub.template_vars["classroom_consoles"]
    assert link["url"] == "/services/progress-odtb/" and link["instructor_group"] == "formgrade-odtb"
