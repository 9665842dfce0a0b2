"""Unit tests of ckanext.testbed.loader.tabular: header row, ragged and blank rows, CSV errors."""

from __future__ import annotations

import pytest
from ckanext.testbed.loader.messages import EMPTY_FILE, LoadError
from ckanext.testbed.loader.tabular import read_delimited

pytestmark = pytest.mark.unit


def read(text: str, max_rows: int = 1000):
    return read_delimited(text, ",", max_rows)


def test_are_header_and_rows_separated():
    """Is the first row the header and the rest data, with cells trimmed?"""
    table = read("年度,人口\n2020, 1234 \n")
    assert table.header == ["年度", "人口"]
    assert table.rows == [["2020", "1234"]]
    assert table.notices == []


def test_are_quoted_commas_and_newlines_kept_in_one_cell():
    """Do quoted cells keep their commas and line breaks?"""
    table = read('名称,備考\n"A,B","1行目\n2行目"\n')
    assert table.rows == [["A,B", "1行目\n2行目"]]


def test_is_tsv_split_on_tabs():
    """Is TSV split on tabs only?"""
    table = read_delimited("年度\t地区名\n2020\t中央区, 東\n", "\t", 10)
    assert table.rows == [["2020", "中央区, 東"]]


def test_are_short_rows_padded_and_reported():
    """Are rows with missing trailing cells padded with blanks and counted in a notice?"""
    table = read("a,b,c\n1,2\n3,4,5\n")
    assert table.rows == [["1", "2", ""], ["3", "4", "5"]]
    assert table.notices == ["セルの数が見出しより少ない行が 1 行あり、足りないセルは空欄として扱いました。"]


def test_are_trailing_empty_cells_ignored():
    """Are trailing empty cells (Excel's "a,b,,") ignored in the header and the data?"""
    table = read("a,b,,\n1,2,,\n")
    assert table.header == ["a", "b"]
    assert table.rows == [["1", "2"]]


def test_is_an_extra_filled_cell_an_error_naming_the_line():
    """Is an unquoted thousands separator (one cell too many) an error that names the line?"""
    with pytest.raises(LoadError) as caught:
        read("地区名,人口\n中央区,1234\n北区,1,234\n")
    assert caught.value.message.startswith("3 行目のセルの数 (3) が見出しの列数 (2) より多いです。")


def test_are_blank_rows_skipped_and_counted():
    """Are blank lines and all-empty rows skipped, and the trainee told how many?"""
    table = read("\n\na,b\n1,2\n,\n\n3,4\n")
    assert table.header == ["a", "b"]
    assert table.rows == [["1", "2"], ["3", "4"]]
    assert table.notices == ["空の行を 2 行読み飛ばしました。"]


@pytest.mark.parametrize("text", ["", "\n\n", " , \n"])
def test_is_an_empty_file_an_error(text):
    """Is a file with no header row an error with a clear Japanese message?"""
    with pytest.raises(LoadError) as caught:
        read(text)
    assert caught.value.message == EMPTY_FILE


def test_is_a_header_only_file_an_empty_table():
    """Does a header-only file give the columns and no rows (not an error)?"""
    table = read("年度,人口\n")
    assert table.header == ["年度", "人口"]
    assert table.rows == []


def test_is_the_row_limit_enforced():
    """Is a file over the row limit refused instead of loaded partially?"""
    with pytest.raises(LoadError) as caught:
        read("a\n1\n2\n3\n", max_rows=2)
    assert "2 行を超えています" in caught.value.message


def test_is_an_unclosed_quote_an_error_naming_where_it_opened():
    """Is a quote left open an error naming the line where the cell started, not a swallowed file?"""
    with pytest.raises(LoadError) as caught:
        read('a,b\n1,2\n"3,4\n5,6\n')
    assert caught.value.message.startswith("3 行目から CSV の形式が正しくありません")
    assert "閉じられていません" in caught.value.message


def test_is_text_after_a_closing_quote_an_error():
    """Is text glued after a closing quote (``"2"x``) an error rather than silently merged?"""
    with pytest.raises(LoadError) as caught:
        read('a,b\n1,"2"x\n')
    assert caught.value.message.startswith("2 行目から")
