"""Unit tests of the completion certificate renderer (修了証, one-page A4 PDF in Japanese)."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date

import pytest
from pypdf import PdfReader

from classroom import certificate
from classroom.certificate import Certificate, Result

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def font():
    path = certificate.find_font()
    if path is None:
        pytest.skip(
            "IPAexGothic not found: matplotlib-fontja (pinned in testbed_cli/requirements/test.txt) is not installed"
        )
    return path


CERT = Certificate(
    username="alice",
    fullname="山田 花子",
    dept="みどり野市 企画政策部 企画課",
    course_id="odtb",
    course_title="自治体データ庁内活用研修",
    completed_on=date(2026, 12, 1),
    number="ODTB-20261201-K7QXM3FJ2A",
    pass_ratio=0.6,
    results=(
        Result("00_hajimeni", "課題0 はじめての提出", 3, 3),
        Result("01_kokai", "課題1 受け取ったAEDの一覧を、標準の形式で公開する", 7.5, 10),
        Result("02_sagasu", "", 9, 9),
    ),
)


def _text(pdf: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return len(reader.pages), reader.pages[0].extract_text()


def test_certificate_is_a_one_page_a4_pdf_with_the_font_embedded(font):
    """Is the certificate a single A4 page of PDF, with IPAexGothic embedded (not merely named)?"""
    pdf = certificate.render(CERT, font)
    assert pdf.startswith(b"%PDF-")
    assert certificate.FONT_NAME.encode() in pdf and b"/FontFile2" in pdf
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)


def test_certificate_text_reads_back_in_japanese(font):
    """Does the PDF's text hold 修了証, the trainee's name and 所属, the course, the date, the number and scores?"""
    _, text = _text(certificate.render(CERT, font))
    for expected in (
        "修了証",
        "山田 花子",
        "殿",
        "みどり野市 企画政策部 企画課",
        "自治体データ庁内活用研修",
        "令和8年（2026年）12月1日",
        "ODTB-20261201-K7QXM3FJ2A",
        "課題0 はじめての提出",
        "7.5 / 10",
        "02_sagasu",  # no heading known: the folder name
        "オープンデータ・テストベッド",
        "60%以上",
    ):
        assert expected in text, expected


def test_the_user_name_stands_in_for_an_unknown_name(font):
    """Without 氏名 or 所属 in the roster, is the user name printed as the name, with no empty 所属 line?"""
    _, text = _text(certificate.render(replace(CERT, fullname="", dept="", course_title=""), font))
    assert "alice" in text and "殿" in text
    assert "所属" not in text and "コース odtb" in text


def test_the_same_certificate_renders_to_the_same_bytes(font):
    """Is rendering pure: the same certificate gives byte-identical PDFs (dated by the completion date)?"""
    assert certificate.render(CERT, font) == certificate.render(CERT, font)


def test_many_long_assignments_still_fit_on_one_page(font):
    """Do 30 assignments with long titles still give one page (rows shrink, titles are shortened with …)?"""
    long = tuple(Result(f"{i:02d}_x", "とても長い課題名" * 8, 1, 1) for i in range(30))
    pages, text = _text(certificate.render(replace(CERT, results=long), font))
    assert pages == 1 and "…" in text and "令和8年" in text


def test_japanese_dates():
    """Are dates written 2026年12月1日, and on certificates with the era year first (令和元年 for 2019)?"""
    assert certificate.japanese_date(date(2026, 12, 1)) == "2026年12月1日"
    assert certificate.certificate_date(date(2026, 12, 1)) == "令和8年（2026年）12月1日"
    assert certificate.certificate_date(date(2019, 5, 1)) == "令和元年（2019年）5月1日"
    assert certificate.certificate_date(date(2019, 4, 30)) == "2019年4月30日"


def test_japanese_lines_never_start_with_closing_punctuation():
    """Does wrapping keep 、。） off the start of a line (they hang) and keep Latin words whole?"""
    text = "あいう、えお。かきく（CKAN）けこ"
    lines = certificate.wrap_japanese(text, 3, len)
    assert "".join(lines) == text
    assert all(line[0] not in "、。）" for line in lines)
    assert any("CKAN" in line for line in lines)
