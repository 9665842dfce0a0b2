"""A trainee's first screen: the course guide (はじめに), the 研修 menu's links and the launcher tiles."""

from __future__ import annotations

import json
import os

import pytest

from hub_config import configurer, console_links, singleuser
from testbed_cli import hub, lab_console, lab_guide
from testbed_config import StackConfig, names
from testbed_config.layout import Layout

pytestmark = pytest.mark.unit


def _cfg(tmp_path, **kw) -> StackConfig:
    return StackConfig(state_dir=tmp_path / "state", prefix=tmp_path / "prefix", **kw)


def test_does_the_guide_tell_a_beginner_what_to_do_first_and_link_the_console_and_catalogue(tmp_path):
    """Does the guide name the first steps with the menus as the Japanese UI shows them, and link the course's
    console (a path on the hub) and the catalogue's public URL?"""
    cfg = _cfg(tmp_path)
    text = lab_guide.guide_text(cfg)
    assert text.startswith("# はじめに")
    assert "最初にすること" in text and "Shift キーを押しながら Enter キー" in text
    assert "「カーネル」→「カーネルを再起動 と すべてのセルを実行…」" in text
    assert "「ヘルプ」→「講師を呼ぶ (手を挙げる)」" in text
    assert f"]({console_links.console_url('odtb')})" in text
    assert f"]({cfg.ckan_url}/user/login/oidc-pkce?came_from=/)" in text  # signed in through the hub
    assert "Restart Kernel" not in text and "Kernel →" not in text


def test_does_the_training_menu_get_the_guide_and_catalogue_after_the_console(tmp_path):
    """Are the guide (opened as a preview) and the catalogue (a new tab) added to the 研修 menu once, after the
    console entry, leaving the ヘルプ menu's entries alone; and do Markdown files open as previews?"""
    cfg = _cfg(tmp_path)
    overrides: dict = {}
    lab_console.add_raise_hand_menu(overrides, cfg)
    console_links.add_console_menu(overrides, cfg)
    lab_guide.add_training_links(overrides, cfg)
    lab_guide.add_training_links(overrides, cfg)  # idempotent
    menus = {m["id"]: m for m in overrides[console_links.MAINMENU]["menus"]}
    assert lab_console.HELP_MENU in menus
    items = menus[console_links.MENU_ID]["items"]
    commands = [i.get("command") for i in items]
    assert commands == ["help:open", None, "docmanager:open", "help:open"]
    ranks = [i["rank"] for i in items]
    assert ranks == sorted(ranks)
    guide, catalogue = items[2]["args"], items[3]["args"]
    assert guide == {"path": names.GUIDE_FILE, "factory": "Markdown Preview", "label": lab_guide.GUIDE_LABEL}
    assert catalogue["url"] == lab_guide.catalogue_url(cfg) and catalogue["newBrowserTab"] is True
    assert catalogue["url"].startswith(cfg.ckan_url + names.CKAN_SSO_LOGIN)
    assert overrides[lab_guide.DOCMANAGER]["defaultViewers"] == {"markdown": "Markdown Preview"}


def test_are_there_launcher_tiles_for_each_console_and_the_catalogue(tmp_path):
    """Does jupyter-launcher-shortcuts get one tile per course's console and one for the catalogue, with icons?"""
    cfg = _cfg(tmp_path, courses=[{"id": "odtb", "title": "A"}, {"id": "extra", "title": "B"}])
    shortcuts = lab_guide.launcher_shortcuts(cfg, tmp_path)
    assert shortcuts["console-odtb"]["target"] == console_links.console_url("odtb")
    assert shortcuts["console-extra"]["title"].endswith("B")
    assert shortcuts["catalogue"]["target"] == lab_guide.catalogue_url(cfg)
    assert all(s["icon_path"].endswith(".svg") for s in shortcuts.values())


def test_does_up_write_the_guide_the_menu_and_the_tiles_into_the_shared_venv(tmp_path):
    """Does ./testbed up's step write the guide, its icons, the menu overrides and the launcher tiles, and is the
    guide the file the spawner's environment names?"""
    layout = Layout(_cfg(tmp_path))
    hub.ensure_singleuser_defaults(layout)
    v = layout.hub_venv
    guide = v / names.GUIDE_DIR / names.GUIDE_FILE
    assert guide.read_text(encoding="utf-8") == lab_guide.guide_text(layout.cfg)
    assert configurer.spawner_environment(layout.cfg, layout)["TESTBED_GUIDE"] == str(guide)
    server = json.loads((v / "etc/jupyter/jupyter_server_config.json").read_text())
    for tile in server["LauncherShortcuts"]["shortcuts"].values():
        assert os.path.isfile(tile["icon_path"])
    overrides = json.loads((v / "share/jupyter/lab/settings/overrides.json").read_text())
    labels = [i.get("args", {}).get("label") for m in overrides[console_links.MAINMENU]["menus"] for i in m["items"]]
    assert lab_guide.GUIDE_LABEL in labels
    assert hub.ensure_singleuser_defaults(layout) is False  # nothing changes on a second run


def test_is_the_guide_placed_once_and_never_over_the_users_own_file(tmp_path):
    """Is the guide copied into an empty home (first start), and left alone when a file, an edited copy or a
    link of that name is already there?"""
    source = tmp_path / names.GUIDE_FILE
    source.write_text("# はじめに\n", encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    assert singleuser.place_guide(str(source), str(home)) == names.GUIDE_FILE
    assert (home / names.GUIDE_FILE).read_text(encoding="utf-8") == "# はじめに\n"
    (home / names.GUIDE_FILE).write_text("自分のメモ", encoding="utf-8")
    assert singleuser.place_guide(str(source), str(home)) == ""  # later starts: kept as the user left it
    assert (home / names.GUIDE_FILE).read_text(encoding="utf-8") == "自分のメモ"
    other = tmp_path / "other"
    other.mkdir()
    (other / names.GUIDE_FILE).symlink_to(tmp_path / "elsewhere.md")  # a dangling link is not followed
    assert singleuser.place_guide(str(source), str(other)) == ""
    assert not (tmp_path / "elsewhere.md").exists()
    assert singleuser.place_guide("", str(home)) == ""
    assert singleuser.place_guide(str(tmp_path / "missing.md"), str(other)) == ""


def test_do_servers_serve_the_launcher_links_with_our_handler_instead_of_the_packages():
    """Is jupyter-launcher-shortcuts' own server extension (unreachable from its tiles under JupyterHub) replaced by
    hub_config.launcher_links, a module that exists?"""
    assert hub.TRAINEE_SERVER_EXTENSIONS["jupyter_launcher_shortcuts"] is False
    assert hub.TRAINEE_SERVER_EXTENSIONS["hub_config.launcher_links"] is True
    assert (configurer.Path(configurer.__file__).parent / "launcher_links.py").is_file()
