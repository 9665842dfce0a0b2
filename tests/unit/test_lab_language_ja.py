"""JupyterLab's language pack with its gaps filled (testbed_cli/lab_language_ja.py), on a fake hub venv: are the
browser's and the server's catalogues both filled, the pip-installed files kept, re-runs no-ops, and a pack
upgrade picked up?"""

from __future__ import annotations

import gettext
import json

import pytest

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


def test_no_pack_no_change(tmp_path):
    """Without the language pack installed, is nothing written?"""
    assert not lang.ensure(tmp_path, log=lambda _m: None)
    assert not any(tmp_path.iterdir())
