"""The データアカデミー workshop kit (courses/workshop): its notebooks and pages, the installer into the hub venv, the
copy into a team's folder on its server's start. (The spawner naming the kit for team servers only needs JupyterHub:
tests/integration/test_workshop_kit.py checks it in the hub venv.)"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml
from helpers.ui_text import ALLOWED, latin_words

from hub_config import singleuser
from testbed_cli import workshop_kit
from testbed_config import names

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
KIT = REPO / "courses" / "workshop"
NOTEBOOKS = sorted(KIT.glob("*.ipynb"))
PAGES = sorted(p for p in KIT.glob("*.md") if p.name != "README.md")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
# words of the kit's Japanese text that are names, not English: the guidebook's version, image format, the plotting
# library, JupyterLab's own menu word (「名前を付けてNotebookをエキスポート…」 in its Japanese language pack), and
# single capitals as labels (仮説A, Aさん)
KIT_ALLOWED = ALLOWED | {"ver", "png", "matplotlib", "notebook"} | set("abcdefghijklmnopqrstuvwxyz")
INLINE_CODE = re.compile(r"`[^`]*`")


def _read_lines(text: str) -> list[str]:
    """The lines a person reads as prose: no fenced code blocks, no inline code."""
    out, fenced = [], False
    for line in text.splitlines():
        if line.strip().startswith("```"):
            fenced = not fenced
            continue
        if not fenced:
            out.append(INLINE_CODE.sub(" ", line))
    return out


def test_are_there_four_session_notebooks_valid_and_committed_without_outputs():
    """Are the four sessions valid nbformat 4 notebooks with cell ids, no outputs and no execution counts?"""
    assert [workshop_kit.TEAM_FILES[p.name][:3] for p in NOTEBOOKS] == ["第1回", "第2回", "第3回", "第4回"]
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        assert nb.nbformat == 4 and nb.metadata["kernelspec"]["name"] == "python3"
        for cell in nb.cells:
            assert cell.get("id"), path.name
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, (path.name, cell.id)


def test_does_each_session_state_its_aims_time_and_the_teams_marked_deliverables():
    """Does each notebook open with its aims, time and deliverable, and mark deliverable cells for the team to fill
    (a visible 【班の成果物】 label and metadata an exporter or grader can find)?"""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0].source
        assert all(word in first for word in ("ねらい", "時間", "班の成果物")), path.name
        marked = [c for c in nb.cells if c.metadata.get("testbed_workshop", {}).get("deliverable")]
        assert len(marked) >= 3, path.name
        for cell in marked:
            assert "班の成果物" in cell.source or "振り返り" in cell.source, (path.name, cell.id)


def test_is_every_text_people_read_in_japanese():
    """Is every markdown cell and page line free of English words (names and code aside), and does every markdown
    cell and every code comment carry Japanese?"""
    problems = []
    for path in NOTEBOOKS:
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "markdown":
                if not JAPANESE.search(cell.source):
                    problems.append(f"{path.name} {cell.id}: no Japanese")
                for line in _read_lines(cell.source):
                    if words := latin_words(line, KIT_ALLOWED):
                        problems.append(f"{path.name} {cell.id}: {words} in {line!r}")
            else:
                for line in cell.source.splitlines():
                    comment = line.split("#", 1)[1] if "#" in line else ""
                    comment = re.sub(r"noqa: \w+", "", comment).strip()
                    if comment and not JAPANESE.search(comment):
                        problems.append(f"{path.name} {cell.id}: comment not in Japanese: {line.strip()!r}")
    for path in PAGES:
        for line in _read_lines(path.read_text(encoding="utf-8")):
            if words := latin_words(line, KIT_ALLOWED):
                problems.append(f"{path.name}: {words} in {line!r}")
    assert problems == []


def test_does_the_kit_name_only_public_datasets_the_catalogue_really_has():
    """Is every dataset id in the notebooks and pages one of the seeded catalogue's public datasets (no invented
    data), and do the sample problems name at least three of them?"""
    manifest = yaml.safe_load((REPO / "datasets" / "manifest.yaml").read_text(encoding="utf-8"))
    public = {d["name"] for d in manifest["datasets"] if not d.get("private")}
    ids = re.compile(r"midorino-[a-z0-9-]*[a-z0-9]")
    for path in [*NOTEBOOKS, *PAGES]:
        named = set(ids.findall(path.read_text(encoding="utf-8")))
        assert named <= public, (path.name, sorted(named - public))
    samples = (KIT / "sample_problems.md").read_text(encoding="utf-8")
    assert len(re.findall(r"^## \d\. ", samples, re.MULTILINE)) >= 3
    assert len(set(ids.findall(samples))) >= 3


def test_does_the_team_guide_list_every_file_a_team_gets():
    """Does はじめに_班の作業場所 name each file the installer ships to team folders, and do the shipped files cover
    the kit (all but the facilitator guide and the developers' README)?"""
    guide = (KIT / "team_guide.md").read_text(encoding="utf-8")
    assert all(name in guide for name in workshop_kit.TEAM_FILES.values())
    kit = {p.name for p in KIT.iterdir() if p.is_file()}
    assert kit - set(workshop_kit.TEAM_FILES) == {"README.md", "facilitator_guide.md", "rubric.yaml"}
    assert all(name.isascii() for name in kit)  # repository paths stay ASCII; teams read the Japanese names


def test_is_the_kit_installed_readable_and_idempotently(tmp_path):
    """Does the installer put exactly the team files in the venv (files 0644, folder 0755), change nothing on a
    second run, and put back a changed or stray file?"""
    venv = tmp_path / "venv"
    target = venv / names.WORKSHOP_DIR
    assert workshop_kit.ensure(venv) is True
    assert sorted(p.name for p in target.iterdir()) == sorted(workshop_kit.TEAM_FILES.values())
    assert target.stat().st_mode & 0o777 == 0o755
    assert all(p.stat().st_mode & 0o777 == 0o644 for p in target.iterdir())
    assert all((target / n).read_bytes() == (KIT / s).read_bytes() for s, n in workshop_kit.TEAM_FILES.items())
    assert workshop_kit.ensure(venv) is False
    (target / names.WORKSHOP_GUIDE).write_text("古い版", encoding="utf-8")
    (target / "古いノート.ipynb").write_text("{}", encoding="utf-8")
    assert workshop_kit.ensure(venv) is True
    assert (target / names.WORKSHOP_GUIDE).read_bytes() == (KIT / "team_guide.md").read_bytes()
    assert not (target / "古いノート.ipynb").exists()
    assert workshop_kit.ensure(venv) is False


def test_does_a_team_folder_get_missing_kit_files_only_and_never_lose_its_edits(tmp_path):
    """Does the first start copy every kit file, a later start copy only what is missing (a deleted file comes back),
    and no start overwrite an edited file or follow a link planted at a kit file's name?"""
    kit = tmp_path / "kit"
    workshop_kit.ensure(kit)
    source = kit / names.WORKSHOP_DIR
    home = tmp_path / "home"
    home.mkdir()
    assert singleuser.place_workshop(str(source), str(home)) == sorted(workshop_kit.TEAM_FILES.values())
    first = "第1回_課題の設定.ipynb"
    (home / first).write_text("班の書き込み", encoding="utf-8")
    (home / names.WORKSHOP_GUIDE).unlink()
    assert singleuser.place_workshop(str(source), str(home)) == [names.WORKSHOP_GUIDE]
    assert (home / first).read_text(encoding="utf-8") == "班の書き込み"
    assert singleuser.place_workshop(str(source), str(home)) == []
    other = tmp_path / "other"
    other.mkdir()
    (other / first).symlink_to(tmp_path / "elsewhere.ipynb")  # a dangling link is not followed
    assert first not in singleuser.place_workshop(str(source), str(other))
    assert not (tmp_path / "elsewhere.ipynb").exists()
    assert singleuser.place_workshop("", str(home)) == []
    assert singleuser.place_workshop(str(tmp_path / "missing"), str(home)) == []
