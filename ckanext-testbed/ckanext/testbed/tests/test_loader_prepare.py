"""Unit tests of ckanext.testbed.loader.prepare: from uploaded bytes to a typed table."""

from __future__ import annotations

import datetime
import io

import pytest
from ckanext.testbed.loader.messages import HEADER_ONLY, XLSX_BROKEN, LoadError
from ckanext.testbed.loader.prepare import canonical_format, prepare_table

pytestmark = pytest.mark.unit

POPULATION_CSV = (
    '年度,地区名,人口,団体コード,調査日\n2020,中央区,"1,234",012345,2020/10/1\n2021,北区,,131016,2021-10-01\n'
)


def columns(table) -> list[tuple[str, str]]:
    return [(column.name, column.type) for column in table.columns]


def test_does_a_shift_jis_csv_become_a_typed_table():
    """Does a Shift_JIS CSV keep its Japanese headers, get sensible types and NULL blanks?"""
    table = prepare_table(POPULATION_CSV.encode("cp932"), "csv", 1000)
    assert columns(table) == [
        ("年度", "int"),
        ("地区名", "text"),
        ("人口", "int"),
        ("団体コード", "text"),
        ("調査日", "date"),
    ]
    assert table.rows == [
        ["2020", "中央区", "1234", "012345", "2020-10-01"],
        ["2021", "北区", None, "131016", "2021-10-01"],
    ]
    assert table.encoding == "cp932"


def test_does_the_bom_not_end_up_in_the_first_column_name():
    """Is the first column of a UTF-8-with-BOM CSV called 年度, not '\\ufeff年度'?"""
    table = prepare_table(POPULATION_CSV.encode("utf-8-sig"), "csv", 1000)
    assert table.columns[0].name == "年度"
    assert table.encoding == "utf-8-sig"


def test_is_a_header_only_file_loaded_as_an_empty_table_with_a_notice():
    """Does a header-only file give text columns, no rows and a notice saying so?"""
    table = prepare_table("年度,人口\n".encode("cp932"), "csv", 1000)
    assert columns(table) == [("年度", "text"), ("人口", "text")]
    assert table.rows == []
    assert HEADER_ONLY in table.notices


def test_is_a_ten_thousand_row_file_prepared():
    """Are 10,000 rows prepared with the right types and values?"""
    lines = ["番号,地区名,人口,日付"] + [f"{i},地区{i},{i * 7},2024-01-{i % 28 + 1:02d}" for i in range(10_000)]
    table = prepare_table("\n".join(lines).encode("cp932"), "csv", 200_000)
    assert len(table.rows) == 10_000
    assert [column.type for column in table.columns] == ["int", "text", "int", "date"]
    assert table.rows[-1] == ["9999", "地区9999", "69993", "2024-01-04"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [("CSV", "csv"), ("text/csv", "csv"), (" tsv ", "tsv"), ("XLSX", "xlsx"), ("PDF", None), (None, None)],
)
def test_are_resource_formats_recognised(given, expected):
    """Are format names and MIME types mapped to csv/tsv/xlsx, and others refused?"""
    assert canonical_format(given) == expected


def test_is_an_xlsx_sheet_read_like_a_csv():
    """Does an XLSX sheet give the same names, types and values as the equivalent CSV?"""
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["年度", "地区名", "人口", "団体コード", "調査日"])
    sheet.append([2020, "中央区", 1234, "012345", datetime.datetime(2020, 10, 1)])
    sheet.append([2021, "北区", None, "131016", datetime.date(2021, 10, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    table = prepare_table(buffer.getvalue(), "xlsx", 1000)
    assert columns(table) == [
        ("年度", "int"),
        ("地区名", "text"),
        ("人口", "int"),
        ("団体コード", "text"),
        ("調査日", "date"),
    ]
    assert table.rows[0] == ["2020", "中央区", "1234", "012345", "2020-10-01"]
    assert table.rows[1][2] is None


def test_is_a_broken_xlsx_a_clear_error():
    """Is a file that is not really XLSX reported in Japanese instead of crashing the job?"""
    pytest.importorskip("openpyxl")
    with pytest.raises(LoadError) as caught:
        prepare_table(b"not a zip file", "xlsx", 1000)
    assert caught.value.message == XLSX_BROKEN
