"""The completion certificate (修了証): a one-page A4 PDF in Japanese, rendered by fpdf2 (pure: data and a
font file in, bytes out; nothing fetched, nothing written).

Japanese glyphs need an embedded TrueType font: IPAexGothic (``ipaexg.ttf``), which the hub venv already
has inside the ``matplotlib-fontja`` package; ``find_font`` locates it through the package's file list
without importing it. Only the glyphs used are embedded (a subset), so a certificate is ~50 KB.
"""

from __future__ import annotations

import importlib.metadata
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from fpdf import FPDF

from classroom.completion import JST

FONT_PACKAGE = "matplotlib-fontja"
FONT_FILE = "ipaexg.ttf"
FONT_NAME = "IPAexGothic"  # the name under which the font is embedded (its PostScript name)
ISSUER = "オープンデータ・テストベッド"

_INK = (34, 34, 34)
_FRAME = (31, 78, 121)
_MUTED = (110, 110, 110)
_REIWA = date(2019, 5, 1)
# characters a Japanese line must not start with (kinsoku): they hang at the end of the line before
_NO_LINE_START = set("、。，．,.）)」』】〕〉》！？!?ー…ぁぃぅぇぉっゃゅょァィゥェォッャュョ")


@dataclass(frozen=True)
class Result:
    """One assignment on the certificate."""

    name: str  # folder name in the course's source/
    title: str  # its heading (e.g. 「課題1 …」), or "" when unknown
    score: float
    max_score: float


@dataclass(frozen=True)
class Certificate:
    username: str
    fullname: str  # 氏名, "" when the roster does not know it (the user name is shown instead)
    dept: str  # 所属, "" when unknown
    course_id: str
    course_title: str  # "" when the stack config gives none
    completed_on: date
    number: str
    pass_ratio: float
    results: tuple[Result, ...]
    issuer: str = ISSUER


def find_font() -> Path | None:
    """IPAexGothic from the installed ``matplotlib-fontja`` package, or None when it is not installed."""
    try:
        files = importlib.metadata.files(FONT_PACKAGE) or []
    except importlib.metadata.PackageNotFoundError:
        return None
    for f in files:
        if f.name == FONT_FILE:
            path = Path(str(f.locate()))
            if path.is_file():
                return path
    return None


def japanese_date(d: date) -> str:
    """2026年12月1日"""
    return f"{d.year}年{d.month}月{d.day}日"


def certificate_date(d: date) -> str:
    """令和8年（2026年）12月1日: the era year first, as municipal documents write it."""
    if d < _REIWA:
        return japanese_date(d)
    era_year = d.year - 2018
    era = "令和元年" if era_year == 1 else f"令和{era_year}年"
    return f"{era}（{d.year}年）{d.month}月{d.day}日"


def course_label(cert: Certificate) -> str:
    return cert.course_title or f"コース {cert.course_id}"


def _tokens(text: str) -> list[str]:
    """Characters, except that runs of Latin letters and digits stay whole (never split mid-word)."""
    out: list[str] = []
    for ch in text:
        if out and ch.isascii() and ch.isalnum() and out[-1][-1].isascii() and out[-1][-1].isalnum():
            out[-1] += ch
        else:
            out.append(ch)
    return out


def wrap_japanese(text: str, width: float, measure) -> list[str]:
    """Lines of at most ``width`` (by ``measure``), never starting with closing punctuation (it hangs)."""
    lines: list[str] = []
    line = ""
    for tok in _tokens(text):
        if line and measure(line + tok) > width and tok[0] not in _NO_LINE_START:
            lines.append(line)
            line = tok.lstrip(" ")
        else:
            line += tok
    if line:
        lines.append(line)
    return lines


def _fit(pdf: FPDF, text: str, width: float) -> str:
    if pdf.get_string_width(text) <= width:
        return text
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1]
    return text + "…"


def _points(x: float) -> str:
    return f"{x:g}"


class _Page:
    """Drawing helpers over one A4 page (millimetres)."""

    W, H = 210.0, 297.0

    def __init__(self, font_path: Path | str):
        pdf = FPDF(orientation="P", unit="mm", format="A4")
        pdf.set_auto_page_break(False)
        pdf.set_margins(20, 20, 20)
        pdf.add_font(FONT_NAME, fname=str(font_path))
        pdf.add_page()
        pdf.c_margin = 2  # room between a table cell's border and its text
        pdf.set_text_color(*_INK)
        self.pdf = pdf

    def text(self, y: float, text: str, size: float, *, align: str = "C", x: float = 20, w: float = 170, color=_INK):
        pdf = self.pdf
        pdf.set_font(FONT_NAME, size=size)
        pdf.set_text_color(*color)
        pdf.set_xy(x, y)
        pdf.cell(w, size * 0.45, text, align=align)

    def frame(self):
        pdf = self.pdf
        pdf.set_draw_color(*_FRAME)
        pdf.set_line_width(1.2)
        pdf.rect(10, 10, self.W - 20, self.H - 20)
        pdf.set_line_width(0.3)
        pdf.rect(13, 13, self.W - 26, self.H - 26)


def render(cert: Certificate, font_path: Path | str) -> bytes:
    """The certificate as PDF bytes; the same certificate always gives the same bytes."""
    page = _Page(font_path)
    pdf = page.pdf
    label = course_label(cert)
    who = cert.fullname or cert.username
    pdf.set_title(f"修了証 {who} ({label})")
    pdf.set_author(cert.issuer)
    pdf.set_subject(f"{label} 修了証 {cert.number}")
    pdf.set_creator(cert.issuer)
    pdf.set_lang("ja")
    pdf.set_creation_date(datetime.combine(cert.completed_on, time(), JST))

    page.frame()
    page.text(20, f"修了証番号 {cert.number}", 9, align="R", color=_MUTED)
    page.text(38, "修了証", 40)

    # who
    y = 66
    if cert.dept:
        page.text(y, f"所属　{cert.dept}", 13)
        y += 10
    pdf.set_font(FONT_NAME, size=24)
    name_w = pdf.get_string_width(who)
    pdf.set_font(FONT_NAME, size=15)
    suffix_w = pdf.get_string_width("殿")
    left = (page.W - name_w - 4 - suffix_w) / 2
    page.text(y, who, 24, align="L", x=left, w=name_w + 1)
    page.text(y + 2.5, "殿", 15, align="L", x=left + name_w + 4, w=suffix_w + 1)
    pdf.set_draw_color(*_INK)
    pdf.set_line_width(0.3)
    pdf.line(left - 6, y + 13, left + name_w + 4 + suffix_w + 6, y + 13)
    if cert.fullname:
        page.text(y + 16, f"(ユーザー名 {cert.username})", 9, color=_MUTED)

    # what
    pct = _points(round(cert.pass_ratio * 100, 1))
    body = (
        f"あなたは「{label}」のすべての課題（{len(cert.results)}件）で合格基準（各課題とも満点の{pct}%以上）"
        "を満たし、本研修の課程を修了したことをここに証します。"
    )
    pdf.set_font(FONT_NAME, size=13)
    y += 28
    for line in wrap_japanese(body, 158, pdf.get_string_width):
        page.text(y, line, 13, align="L", x=26, w=158)
        y += 8.5

    # the assignments and their scores
    y += 6
    rows = len(cert.results) + 1
    row_h = min(8.0, (228 - y) / rows)
    size = min(10.5, row_h * 1.7)
    cols = ((25, 112, "課題", "L"), (137, 28, "得点", "C"), (165, 20, "判定", "C"))
    pdf.set_draw_color(*_MUTED)
    pdf.set_line_width(0.2)
    pdf.set_font(FONT_NAME, size=size)
    pdf.set_fill_color(232, 240, 248)
    for x, w, head, _ in cols:
        pdf.set_xy(x, y)
        pdf.cell(w, row_h, head, border=1, align="C", fill=True)
    for r in cert.results:
        y += row_h
        name = r.title or r.name
        values = (_fit(pdf, name, 106), f"{_points(r.score)} / {_points(r.max_score)}", "合格")
        for (x, w, _, align), value in zip(cols, values, strict=True):
            pdf.set_xy(x, y)
            pdf.cell(w, row_h, value, border=1, align=align)

    # when and by whom
    page.text(236, certificate_date(cert.completed_on), 13, align="L", x=26, w=158)
    page.text(250, label, 13, align="R", x=26, w=158)
    page.text(259, cert.issuer, 13, align="R", x=26, w=158)
    page.text(
        274,
        "この修了証は研修環境の採点記録から作成されました。修了証番号は講師の進捗ボードで照合できます。",
        8,
        color=_MUTED,
    )
    return bytes(pdf.output())
