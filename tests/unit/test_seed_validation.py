"""Does the catalogue seeder refuse a broken manifest or file, naming every problem (file, line, column)?

Each test breaks a temporary copy of datasets/ (the real one stays untouched).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ckan_seed.manifest_check import check_manifest
from ckan_seed.problem import ManifestInvalid
from ckan_seed.seed import MANIFEST, seed_catalog

pytestmark = pytest.mark.unit

UNREACHABLE = "http://127.0.0.1:9"  # nothing listens: any contact with "CKAN" would fail loudly


@pytest.fixture
def copy(tmp_path) -> Path:
    """A copy of datasets/ (manifest and files); returns the manifest path."""
    root = tmp_path / "datasets"
    root.mkdir()
    shutil.copy(MANIFEST, root / "manifest.yaml")
    for folder in ("open", "geo", "as_received", "internal"):
        shutil.copytree(MANIFEST.parent / folder, root / folder)
    return root / "manifest.yaml"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(path: Path, needle: str) -> int:
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def problems(manifest: Path) -> list:
    return check_manifest(manifest).problems


def test_is_the_real_manifest_valid_with_its_cp932_files():
    """Does the committed manifest pass, including the intentionally Shift_JIS "as received" files?"""
    checked = check_manifest(MANIFEST)
    assert checked.problems == []
    assert any(r["encoding"].startswith("Shift_JIS") for d in checked.manifest["datasets"] for r in d["resources"])
    assert len(checked.files) == sum(len(d["resources"]) for d in checked.manifest["datasets"])


def test_is_an_undecodable_csv_reported_with_its_line_and_column(copy):
    """Is a byte that is not UTF-8 in a UTF-8 CSV reported at the right line and column?"""
    csv = copy.parent / "open" / "aed.csv"
    lines = csv.read_bytes().split(b"\n")
    lines[2] = b"99\xff" + lines[2]
    csv.write_bytes(b"\n".join(lines))
    found = problems(copy)
    assert len(found) == 1
    p = found[0]
    assert p.file.endswith("open/aed.csv") and (p.line, p.column) == (3, 3)
    assert "UTF-8" in p.message and "0xFF" in p.message


def test_is_a_utf8_file_declared_as_shift_jis_reported(copy):
    """Is an "as received" file that is really UTF-8 (declared cp932) caught?"""
    path = copy.parent / "as_received" / "hinanbasho_sjis.csv"
    path.write_text(path.read_bytes().decode("cp932"), encoding="utf-8")
    found = problems(copy)
    assert any(p.file.endswith("hinanbasho_sjis.csv") and "UTF-8" in p.message for p in found), found


def test_is_a_missing_required_column_named(copy):
    """Does a standard-layout CSV without a required column fail, naming that column and line 1?"""
    csv = copy.parent / "open" / "aed.csv"
    text = csv.read_text(encoding="utf-8")
    csv.write_text(text.replace("名称_カナ", "よみがな", 1), encoding="utf-8")
    found = problems(copy)
    assert len(found) == 1
    assert found[0].file.endswith("open/aed.csv") and found[0].line == 1
    assert "名称_カナ" in found[0].message and "必須" in found[0].message


def test_is_an_unknown_organisation_reported_at_its_manifest_line(copy):
    """Is an owner_org not in organizations reported with the manifest's line and column?"""
    edit(copy, "owner_org: kanko-ka", "owner_org: kanko-kka")
    found = problems(copy)
    assert len(found) == 1
    assert found[0].file.endswith("manifest.yaml")
    assert found[0].line == line_of(copy, "owner_org: kanko-kka")
    assert found[0].column == len("    owner_org: ") + 1
    assert "kanko-kka" in found[0].message and "organizations" in found[0].message


def test_is_a_duplicate_name_reported(copy):
    """Is a dataset named like an organisation (CKAN's shared name space) reported?"""
    edit(copy, "- name: midorino-waste\n", "- name: kankyo-bu\n")
    found = problems(copy)
    assert any("kankyo-bu" in p.message and "重複" in p.message for p in found), found
    assert all(p.line for p in found)


def test_is_a_duplicate_dataset_name_reported(copy):
    """Are two datasets with one name reported?"""
    edit(copy, "- name: midorino-events\n", "- name: midorino-aed\n")
    found = problems(copy)
    assert [p for p in found if "midorino-aed" in p.message and "重複" in p.message]


def test_is_a_yaml_syntax_error_located(copy):
    """Is a YAML syntax error reported with its line?"""
    edit(copy, "    title: イベント一覧\n", "    title: [イベント一覧\n")
    found = problems(copy)
    assert len(found) == 1 and found[0].line is not None and "YAML" in found[0].message


def test_are_schema_errors_reported(copy):
    """Are a missing required key, a wrong type and an unknown key all reported?"""
    edit(copy, "    private: false\n", "    private: いいえ\n")
    edit(copy, "    license_id: pdl-1.0\n", "    licence: pdl-1.0\n")
    edit(copy, "    update_frequency: 随時\n", "    update_frequncy: 随時\n")
    messages = [p.message for p in problems(copy)]
    assert any("private" in m and "true / false" in m for m in messages), messages
    assert any("license_id" in m and "必須" in m for m in messages), messages
    assert any("update_frequncy" in m and "知らない項目" in m for m in messages), messages


def test_must_internal_data_stay_private(copy):
    """Is internal (庁内) data marked public refused?"""
    edit(copy, "    owner_org: chonai-data\n    private: true\n", "    owner_org: chonai-data\n    private: false\n")
    assert any("private: true" in p.message for p in problems(copy))


def test_are_a_missing_file_and_a_bom_reported(copy):
    """Are a missing file and an unexpected BOM (bom: false) both reported?"""
    (copy.parent / "open" / "events.csv").unlink()
    toilets = copy.parent / "open" / "public_toilets.csv"
    toilets.write_bytes(b"\xef\xbb\xbf" + toilets.read_bytes())
    found = problems(copy)
    assert any("open/events.csv" in p.message and "ありません" in p.message for p in found), found
    assert any(p.file.endswith("public_toilets.csv") and "BOM" in p.message for p in found), found


def test_is_every_problem_listed_and_nothing_published(copy):
    """With several broken entries, are all named and does the seeder stop before contacting CKAN?"""
    edit(copy, "owner_org: kanko-ka", "owner_org: kanko-kka")
    edit(copy, "- name: midorino-events\n", "- name: midorino-aed\n")
    (copy.parent / "open" / "districts.csv").write_bytes(b"\x82\xa0\xff\xfe")
    csv = copy.parent / "open" / "aed.csv"
    csv.write_text(csv.read_text(encoding="utf-8").replace("名称_カナ", "よみ", 1), encoding="utf-8")
    with pytest.raises(ManifestInvalid) as info:
        seed_catalog(UNREACHABLE, "no-token", copy)
    found = info.value.problems
    assert len(found) >= 4
    text = str(info.value)
    for needle in ("kanko-kka", "midorino-aed", "districts.csv", "名称_カナ", "何も公開していません"):
        assert needle in text
    assert all(re.search(r"manifest\.yaml|\.csv", str(p)) for p in found)


def test_is_a_missing_manifest_reported(tmp_path):
    """Does a wrong manifest path give one clear problem?"""
    found = problems(tmp_path / "nothing.yaml")
    assert len(found) == 1 and "ありません" in found[0].message
