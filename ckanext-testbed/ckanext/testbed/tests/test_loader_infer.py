"""Unit tests of ckanext.testbed.loader.infer: column types and cell conversion."""

from __future__ import annotations

import pytest
from ckanext.testbed.loader.infer import convert_rows, infer_types

pytestmark = pytest.mark.unit


def column_type(*cells: str) -> str:
    return infer_types([[cell] for cell in cells], 1)[0]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        (("2020", "2021", "-5", "0"), "int"),
        (("1,234", "56", "1,234,567"), "int"),
        (("3000000000",), "int8"),
        (("99999999999999999999",), "numeric"),
        (("1.5", "2", "-0.25", ".5"), "numeric"),
        (("1,234.5", "3"), "numeric"),
        (("2024-04-01", "2024/4/1"), "date"),
        (("2024-04-01", "2024-04-01 09:30"), "timestamp"),
        (("2024-04-01T09:30:15.5",), "timestamp"),
        (("中央区", "北区"), "text"),
    ],
)
def test_is_the_most_specific_type_chosen(cells, expected):
    """Does each column get the narrowest type all its cells fit?"""
    assert column_type(*cells) == expected


@pytest.mark.parametrize(
    "cells",
    [
        ("012345", "131016"),  # 全国地方公共団体コード with a leading zero
        ("00", "1"),
        ("01.5",),
        ("1e5",),  # exponents stay text: a code like 1E10 must not become a number
        ("１２３",),  # full-width digits
        ("1,23",),  # not a thousands grouping
        ("令和6年4月1日",),
        ("2024-02-30",),  # not a calendar date
        ("2024-04-01T09:30+09:00",),  # time zones are not guessed
        ("2020", "不明"),
        ("2024-04-01", "2024"),
    ],
)
def test_do_codes_and_ambiguous_values_stay_text(cells):
    """Do leading-zero codes, exotic spellings and mixed columns stay text?"""
    assert column_type(*cells) == "text"


def test_are_blank_cells_ignored_for_the_type_and_null_in_the_data():
    """Are blank cells NULL (never 0) and do they not spoil the column's type?"""
    rows = [["1", ""], ["", ""], ["3", ""]]
    types = infer_types(rows, 2)
    assert types == ["int", "text"]
    assert list(convert_rows(rows, types)) == [["1", None], [None, None], ["3", None]]


def test_are_cells_normalised_for_postgresql():
    """Are thousands separators removed and Japanese-style dates written as ISO?"""
    rows = [["1,234", "2024/4/1", "2024/4/1 9:05", "012345", "3,000,000,000"]]
    types = infer_types(rows, 5)
    assert types == ["int", "date", "timestamp", "text", "int8"]
    assert list(convert_rows(rows, types)) == [["1234", "2024-04-01", "2024-04-01T09:05:00", "012345", "3000000000"]]
