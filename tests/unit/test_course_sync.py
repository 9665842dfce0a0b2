"""Curriculum updates reach a course only where no instructor has edited the assignment."""

import pytest

from testbed_cli.hub import sync_course_source

pytestmark = pytest.mark.unit


def _write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_new_assignments_are_copied_and_unedited_ones_updated(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "course" / "source"
    dest.mkdir(parents=True)
    _write(src / "01_a" / "kadai.ipynb", "v1")
    sync_course_source(src, dest, "c", log=lambda m: None)
    assert (dest / "01_a" / "kadai.ipynb").read_text() == "v1"
    _write(src / "01_a" / "kadai.ipynb", "v2")
    sync_course_source(src, dest, "c", log=lambda m: None)
    assert (dest / "01_a" / "kadai.ipynb").read_text() == "v2"


def test_an_instructors_edit_is_never_overwritten(tmp_path):
    """Is an assignment the instructor changed left alone (with a message) when the curriculum changes?"""
    src, dest = tmp_path / "src", tmp_path / "course" / "source"
    dest.mkdir(parents=True)
    _write(src / "01_a" / "kadai.ipynb", "v1")
    sync_course_source(src, dest, "c", log=lambda m: None)
    _write(dest / "01_a" / "kadai.ipynb", "instructor's version")
    _write(src / "01_a" / "kadai.ipynb", "v2")
    messages = []
    sync_course_source(src, dest, "c", log=messages.append)
    assert (dest / "01_a" / "kadai.ipynb").read_text() == "instructor's version"
    assert any("編集" in m for m in messages)


def test_a_folder_that_was_not_copied_by_the_testbed_is_left_alone(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "course" / "source"
    _write(dest / "01_a" / "mine.ipynb", "hand made")
    _write(src / "01_a" / "kadai.ipynb", "v1")
    sync_course_source(src, dest, "c", log=lambda m: None)
    assert not (dest / "01_a" / "kadai.ipynb").exists()
