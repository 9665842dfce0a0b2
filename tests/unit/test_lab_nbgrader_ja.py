"""nbgrader's JupyterLab extension in Japanese (testbed_cli/lab_nbgrader_ja.py): does the string table still
match the installed bundle, so that an nbgrader upgrade never silently leaves English on a trainee's screen,
and is translating idempotent?

The installed bundle is the hub venv's (``./testbed up`` installs it); tests that need it are skipped where
it is missing. Tests that write work on a copy in a temporary directory.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers.installed import HUB_VENV

from testbed_cli import lab_nbgrader_ja as ja

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
INSTALLED = HUB_VENV / ja.EXTENSION


@pytest.fixture
def installed() -> Path:
    if not (INSTALLED / "static").is_dir():
        pytest.skip(f"no nbgrader labextension at {INSTALLED} (./testbed up installs it)")
    return INSTALLED


@pytest.fixture
def pristine(installed, tmp_path) -> Path:
    """A copy of the installed extension as nbgrader shipped it (its translation, if any, undone)."""
    copy = tmp_path / "nbgrader"
    shutil.copytree(installed, copy)
    static = copy / "static"
    (remote,) = static.glob("remoteEntry.*.js")
    text = remote.read_text(encoding="utf-8")
    for path in static.glob("*.js"):
        marked = ja.MARK_RE.match(path.read_text(encoding="utf-8"))
        if marked:  # point remoteEntry back at the pristine chunk
            chunk, digest = path.name.split(".")[:2]
            text = text.replace(f'{chunk}:"{digest}"', f'{chunk}:"{marked.group(1).split(".")[1]}"')
            path.unlink()
    remote.write_text(text, encoding="utf-8")
    return copy


def _files(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((d / "static").iterdir())}


def test_is_the_pinned_nbgrader_the_release_the_table_was_written_for(installed):
    """Does an upgrade of nbgrader (pin or installed labextension) fail here until the table is checked?"""
    pins = (REPO / "testbed_cli" / "requirements" / "hub.txt").read_text()
    assert f"nbgrader=={ja.UPSTREAM_VERSION}\n" in pins
    assert json.loads((installed / "package.json").read_text())["version"] == ja.UPSTREAM_VERSION


def test_is_every_source_string_of_the_table_in_the_installed_bundle(installed):
    """Is each English string the table translates still in nbgrader's installed bundle?"""
    chunks = ja.pristine_ui_chunks(installed)
    assert chunks, "no chunk of the installed bundle holds the table's strings: nbgrader's bundle changed"
    text = "".join(chunks.values())
    missing = [src for src, _ in ja.TABLE if src not in text]
    assert missing == [], f"nbgrader changed these strings; translate the new ones in lab_nbgrader_ja.TABLE: {missing}"


def test_does_the_table_cover_every_english_text_of_the_bundle(installed):
    """After translation, is no English UI text left in the bundle (a string nbgrader added is caught)?"""
    for name, text in ja.pristine_ui_chunks(installed).items():
        translated, _ = ja.translate(text)
        assert ja.visible_english(translated) == [], name
        assert len(ja.visible_english(text)) > 60  # the detector does see nbgrader's English


def test_is_the_installed_bundle_translated(installed):
    """Has ./testbed up applied the current table (remoteEntry points at a Japanese chunk of this table)?"""
    (remote,) = (installed / "static").glob("remoteEntry.*.js")
    translated = [
        p for p in (installed / "static").glob("*.js") if p.name.split(".")[1] in remote.read_text() and
        ja.MARK_RE.match(p.read_text(encoding="utf-8"))
    ]  # fmt: skip
    if not translated:
        pytest.skip("the installed bundle is not translated yet (./testbed up translates it)")
    assert ja.MARK_RE.match(translated[0].read_text(encoding="utf-8")).group(2) == ja.table_digest()


def test_is_translating_twice_a_no_op(pristine):
    """Does the first run write a Japanese chunk under a new name, and the second change nothing?"""
    before = _files(pristine)
    first = ja.ensure_japanese(pristine)
    assert len(first.changed) == 1 and first.missing == [] and first.untranslated == []
    after_first = _files(pristine)
    assert set(before) < set(after_first)  # the pristine chunk stays; the translation is a new file
    assert all(after_first[name] == data for name, data in before.items() if not name.startswith("remoteEntry"))
    (new,) = first.changed
    assert new.split(".")[1] in next(d for n, d in after_first.items() if n.startswith("remoteEntry")).decode()
    text = after_first[new].decode()
    assert '"受け取る"' in text and '"提出する"' in text and '"チェック"' in text and "課題の一覧" in text
    assert '"Fetch"' not in text and "Assignment List" not in text

    assert (pristine / "static" / new).stat().st_mode & 0o777 == 0o644  # trainees' servers read it

    second = ja.ensure_japanese(pristine)
    assert second.changed == []
    assert _files(pristine) == after_first


def test_does_a_changed_table_retranslate_from_the_pristine_chunk(pristine):
    """After the table changes, is the chunk translated again from nbgrader's original, and the old
    translation removed?"""
    (old,) = ja.ensure_japanese(pristine).changed
    table = tuple((src, '"受け取ります"' if dst == '"受け取る"' else dst) for src, dst in ja.TABLE)
    (new,) = ja.ensure_japanese(pristine, table).changed
    assert new != old and not (pristine / "static" / old).exists()
    text = (pristine / "static" / new).read_text(encoding="utf-8")
    assert '"受け取ります"' in text and '"受け取る"' not in text
    assert ja.ensure_japanese(pristine, table).changed == []


def test_does_an_upgrade_that_changes_a_string_get_reported(pristine):
    """When nbgrader's bundle says a string differently, is it reported as missing (never silently English)?"""
    static = pristine / "static"
    (chunk,) = [p for p in static.glob("*.js") if '"Fetch Feedback"' in p.read_text(encoding="utf-8")]
    chunk.write_text(chunk.read_text(encoding="utf-8").replace('"Fetch Feedback"', '"Get feedback"'), "utf-8")
    result = ja.ensure_japanese(pristine)
    assert result.missing == ['"Fetch Feedback"']
    assert "Get feedback" in result.untranslated


def test_does_a_reinstalled_bundle_get_translated_again(pristine, tmp_path):
    """When pip puts nbgrader's files back (upgrade or reinstall), is the bundle translated again and the
    stale translation removed?"""
    static = pristine / "static"
    (remote,) = static.glob("remoteEntry.*.js")
    shipped = remote.read_bytes()
    (old,) = ja.ensure_japanese(pristine).changed
    remote.write_bytes(shipped)  # pip restores remoteEntry; our translated chunk is left behind
    chunk, digest = old.split(".")[:2]
    assert ja._chunk_map(shipped.decode())[chunk] != digest  # remoteEntry points at nbgrader's English chunk
    result = ja.ensure_japanese(pristine)
    assert result.changed == [old]  # same table, same pristine text: the same name again
    assert (static / old).exists()


def test_is_the_translated_chunk_valid_javascript(pristine):
    """Does node parse the translated chunk (the type-changed message builds a lookup inside a template)?"""
    node = shutil.which("node")
    if not node:
        pytest.skip("no node")
    (new,) = ja.ensure_japanese(pristine).changed
    res = subprocess.run([node, "--check", str(pristine / "static" / new)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_does_ensure_skip_a_venv_without_nbgrader(tmp_path):
    """Is a hub venv without the extension (not installed yet, unit-test layouts) left alone?"""
    assert ja.ensure(tmp_path) is False
