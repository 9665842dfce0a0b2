"""JupyterLab's language pack with its gaps filled (testbed_cli/lab_language_ja.py), on a fake hub venv: are the
browser's and the server's catalogues both filled, the pip-installed files kept, re-runs no-ops, and a pack
upgrade picked up?"""

from __future__ import annotations

import gettext
import json
import re
from pathlib import Path

import pytest
from helpers.installed import HUB_VENV

from testbed_cli import lab_language_ja as lang

pytestmark = pytest.mark.unit

HEADER = {"domain": "jupyterlab", "language": "ja-JP", "plural_forms": "nplurals=1; plural=0;", "version": "x"}


def _fake_pack(venv, extra: dict[str, str] | None = None):
    folder = venv / "lib/python3.11/site-packages" / lang.PACK / lang.MESSAGES
    folder.mkdir(parents=True)
    entries = {"Rename": "名前を変更", "Notebook": "Notebook", **(extra or {})}
    catalogue = {"": HEADER, **{k: [v] for k, v in entries.items()}}
    (folder / "jupyterlab.json").write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")
    pairs = {k.encode(): v.encode() for k, v in entries.items()}
    pairs[b""] = b"Content-Type: text/plain; charset=UTF-8\nPlural-Forms: nplurals=1; plural=0;\n"
    (folder / "jupyterlab.mo").write_bytes(lang.write_mo(pairs))
    return folder


def _server(folder) -> gettext.GNUTranslations:
    with open(folder / "jupyterlab.mo", "rb") as fh:
        return gettext.GNUTranslations(fh)


def test_gaps_are_filled_for_the_browser_and_the_server(tmp_path):
    """Are the table's strings in the JSON catalogue and the .mo catalogue, the pack's own kept, and is a second
    run a no-op?"""
    folder = _fake_pack(tmp_path)
    assert lang.ensure(tmp_path, log=lambda _m: None)
    browser = json.loads((folder / "jupyterlab.json").read_text(encoding="utf-8"))
    assert browser["Cell %1/%2"] == ["セル %1/%2"] and browser["Go to cell…"] == ["セルへ移動…"]
    assert browser["Rename"] == ["名前を変更"] and browser["Notebook"] == ["Notebook"]
    assert _server(folder).gettext("Open full post") == "お知らせを開く"
    assert _server(folder).gettext("Rename") == "名前を変更"
    assert _server(folder).gettext("No such string") == "No such string"  # the check itself
    assert (folder / f"jupyterlab.json{lang.PRISTINE}").is_file() and (
        folder / f"jupyterlab.mo{lang.PRISTINE}"
    ).is_file()
    assert not lang.ensure(tmp_path, log=lambda _m: None)


def test_a_changed_table_starts_from_the_pristine_catalogue(tmp_path):
    """Does an entry dropped from the table disappear again (applied to pip's files, not on top of ours)?"""
    folder = _fake_pack(tmp_path)
    lang.ensure(tmp_path, table={"Open full post": "全文"}, log=lambda _m: None)
    assert lang.ensure(tmp_path, table={"Cell %1/%2": "セル %1/%2"}, log=lambda _m: None)
    assert "Open full post" not in json.loads((folder / "jupyterlab.json").read_text(encoding="utf-8"))
    assert _server(folder).gettext("Open full post") == "Open full post"
    assert _server(folder).gettext("Cell %1/%2") == "セル %1/%2"


def test_a_pack_upgrade_is_translated_again_and_its_own_translations_win(tmp_path):
    """After pip replaces the catalogues (no digest), are the new files kept as pristine and filled again, and is a
    table entry the new pack translates itself left to the pack and reported?"""
    folder = _fake_pack(tmp_path)
    lang.ensure(tmp_path, log=lambda _m: None)
    for name in ("jupyterlab.json", "jupyterlab.mo"):
        (folder / name).unlink()
    (tmp_path / "lib").rename(tmp_path / "old")
    folder = _fake_pack(tmp_path, extra={"Cell %1/%2": "セル %1 / %2"})
    said = []
    assert lang.ensure(tmp_path, log=said.append)
    assert "Cell %1/%2" in said[0]
    browser = json.loads((folder / "jupyterlab.json").read_text(encoding="utf-8"))
    assert browser["Cell %1/%2"] == ["セル %1 / %2"] and browser["Go to cell…"] == ["セルへ移動…"]


def test_is_a_pack_translation_that_reads_wrongly_replaced(tmp_path):
    """Is a PACK_FIXES entry ("\\nModified: %1", the pack's 「修正」) written over the pack's own translation, for the
    browser and the server, while a TABLE entry the pack translates stays the pack's?"""
    folder = _fake_pack(tmp_path, extra={"\nModified: %1": "\n修正: %1", "Cell %1/%2": "セル %1 / %2"})
    assert lang.ensure(tmp_path, log=lambda _m: None)
    browser = json.loads((folder / "jupyterlab.json").read_text(encoding="utf-8"))
    assert browser["\nModified: %1"] == ["\n最終更新: %1"] and browser["\nCreated: %1"] == ["\n作成日時: %1"]
    assert browser["Cell %1/%2"] == ["セル %1 / %2"]
    assert _server(folder).gettext("\nModified: %1") == "\n最終更新: %1"
    assert not lang.ensure(tmp_path, log=lambda _m: None)


def test_no_pack_no_change(tmp_path):
    """Without the language pack installed, is nothing written?"""
    assert not lang.ensure(tmp_path, log=lambda _m: None)
    assert not any(tmp_path.iterdir())


def test_are_the_lab_extensions_domains_filled_too(tmp_path):
    """Is ipywidgets' 「設定」 entry written into the pack's jupyterlab_widgets catalogue, beside jupyterlab's?"""
    folder = _fake_pack(tmp_path)
    (folder / "jupyterlab_widgets.json").write_text(json.dumps({"": {**HEADER, "domain": "jupyterlab_widgets"}}))
    assert lang.ensure(tmp_path, log=lambda _m: None)
    widgets = json.loads((folder / "jupyterlab_widgets.json").read_text(encoding="utf-8"))
    assert widgets["Save Widget State Automatically"] == ["ウィジェットの状態を自動で保存"]
    assert "Cell %1/%2" not in widgets  # each table in its own domain
    assert (folder / f"jupyterlab_widgets.json{lang.PRISTINE}").is_file()
    assert not (folder / "notebook.json").exists()  # a domain the pack does not have is left alone


def test_are_the_kernels_help_links_japanese(tmp_path):
    """Does the venv's ipython_config.py give ipykernel Japanese ヘルプ links ("Python リファレンス"), once?"""
    from traitlets.config import Config

    assert not lang.ensure_help_links(tmp_path)  # no ipykernel in the venv: nothing to configure
    (tmp_path / "lib/python3.11/site-packages/ipykernel").mkdir(parents=True)
    assert lang.ensure_help_links(tmp_path)
    text = (tmp_path / lang.HELP_LINKS_CONFIG).read_text(encoding="utf-8")
    namespace = {"get_config": Config}
    exec(compile(text, "ipython_config.py", "exec"), namespace)
    links = namespace["c"].IPythonKernel.help_links
    assert links[0]["text"] == "Python リファレンス" and links[0]["url"].startswith("https://docs.python.org/3.")
    assert all(link["text"].endswith(" リファレンス") for link in links)
    assert not lang.ensure_help_links(tmp_path)


BUILT_LAB = HUB_VENV / "share" / "jupyter"  # the hub venv ./testbed up installs


_CALL = re.compile(r"""\.__\((?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")  # trans.__("…") or trans.__('…')
SERVER_SIDE = {"Open full post"}  # translated by the server's gettext (the news handler), not in the bundles
# labels JupyterLab makes at run time and then passes to trans.__: an exporter's name, first letter capitalised
MADE_AT_RUN_TIME = {"Testbed_a4"}  # hub_config/report_export.py


def _msgids(folder: Path) -> set[str]:
    """Every string the bundles under ``folder`` pass to ``trans.__``, as JavaScript reads it."""
    ids = set()
    for path in folder.rglob("*.js"):
        for double, single in _CALL.findall(path.read_text(encoding="utf-8", errors="replace")):
            literal = double or single.replace("\\'", "'").replace('"', '\\"')
            try:
                ids.add(json.loads(f'"{literal}"'))
            except ValueError:  # a JavaScript escape JSON lacks (\xa9): not one of ours
                ids.add(literal)
    return ids


@pytest.mark.parametrize(
    ("domain", "bundles"),
    [
        ("jupyterlab", "lab/static"),
        ("jupyterlab_widgets", "labextensions/@jupyter-widgets"),
        ("notebook", "labextensions/@jupyter-notebook"),
    ],
)
def test_is_every_table_entry_a_string_the_installed_lab_asks_for(domain, bundles):
    """Does the built lab still pass every msgid of the table to trans.__ (a JupyterLab upgrade that rewords one
    fails here instead of leaving English)?"""
    if not (BUILT_LAB / bundles).is_dir():
        pytest.skip(f"no built lab at {BUILT_LAB / bundles} (./testbed up installs it)")
    asked = _msgids(BUILT_LAB / bundles)
    assert "Open" in asked or domain != "jupyterlab"  # the scan itself finds the lab's strings
    assert [k for k in lang.TABLES[domain] if k not in asked | SERVER_SIDE | MADE_AT_RUN_TIME] == []
    assert [k for k in lang.FIXES.get(domain, {}) if k not in asked] == []
