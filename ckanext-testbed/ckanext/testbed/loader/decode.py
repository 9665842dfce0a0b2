"""Decode an uploaded text file: BOM-aware strict UTF-8, then strict Shift_JIS (CP932), else fail.

Japanese municipal CSVs come either as UTF-8 (often with a BOM, from Excel's "CSV UTF-8") or as
Shift_JIS/CP932 (Excel's default "CSV"). Statistical detectors such as chardet guess CP932 with
low confidence and fall back to cp1252, which produces mojibake. Strict decoding of the *whole*
file is cheap and unambiguous in practice, so we try exactly these two and refuse anything else
rather than load garbled text.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from .messages import BINARY_FILE, UNDECODABLE, UNDECODABLE_AT_LINE, UTF16_FILE, LoadError

# Python's cp932 codec maps these single bytes, which are not characters in Shift_JIS, to U+0080
# and private-use code points; a file containing them is not a real Shift_JIS text file.
_CP932_NON_CHARACTERS = re.compile("[\u0080\uf8f0-\uf8f3]")


@dataclass(frozen=True)
class DecodedText:
    """The decoded text and the encoding that decoded it ('utf-8-sig', 'utf-8' or 'cp932')."""

    text: str
    encoding: str


def decode_bytes(data: bytes) -> DecodedText:
    """Decode ``data`` strictly as UTF-8 (BOM-aware) or CP932; raise ``LoadError`` otherwise."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise LoadError(UTF16_FILE)
    if data.startswith(codecs.BOM_UTF8):
        try:
            return _checked(data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            # A BOM says UTF-8; an invalid byte after it is damage, not another encoding.
            raise _undecodable(data, exc.start) from None
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        utf8_failure = exc.start
    if not data[:utf8_failure].isascii():
        # Valid multibyte UTF-8 up to here, then garbage: a damaged UTF-8 file or one pasted
        # together from UTF-8 and Shift_JIS parts. Reading it as CP932 would turn the UTF-8
        # part into mojibake (genuine CP932 text fails as UTF-8 at its first non-ASCII byte).
        raise _undecodable(data, utf8_failure)
    try:
        text = data.decode("cp932")
    except UnicodeDecodeError as exc:
        raise _undecodable(data, max(utf8_failure, exc.start)) from None
    bad = _CP932_NON_CHARACTERS.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        raise LoadError(f"{UNDECODABLE}{UNDECODABLE_AT_LINE.format(line=line)}")
    return _checked(text, "cp932")


def _checked(text: str, encoding: str) -> DecodedText:
    """Reject NUL characters: they mean a binary or UTF-16 file that happened to decode."""
    if "\x00" in text:
        raise LoadError(BINARY_FILE)
    return DecodedText(text=text, encoding=encoding)


def _undecodable(data: bytes, byte_offset: int) -> LoadError:
    """Build the error naming the line of the furthest point any candidate encoding reached."""
    # 0x0A never occurs inside a UTF-8 or CP932 multibyte sequence, so counting it is safe.
    line = data.count(b"\n", 0, byte_offset) + 1
    return LoadError(f"{UNDECODABLE}{UNDECODABLE_AT_LINE.format(line=line)}")
