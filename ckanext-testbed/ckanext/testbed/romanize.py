"""Readable URL names for Japanese dataset titles: 「AED設置箇所一覧」 → ``aed-setchi-kasho-ichiran``.

CKAN's slug (its form's JavaScript and ``munge_title_to_name``) keeps only Latin letters, so a Japanese
title gave an empty or meaningless name. Here the title is read with pykakasi (Hepburn, long vowels
shortened as in passports and station signs: 統計 → tokei) and turned into a valid CKAN name.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

MIN_LENGTH, MAX_LENGTH = 2, 100  # CKAN's PACKAGE_NAME_MIN_LENGTH / PACKAGE_NAME_MAX_LENGTH
_LONG_VOWELS = (("ou", "o"), ("uu", "u"), ("ee", "e"))
_NOT_NAME = re.compile(r"[^a-z0-9]+")


@cache
def _kakasi():
    try:
        import pykakasi  # CKAN's venv (testbed_cli/requirements/ckan.txt)
    except ImportError:  # without it, only the Latin part of a title is kept, as CKAN does
        return None
    return pykakasi.kakasi()


def _readings(text: str) -> list[tuple[str, str]]:
    kakasi = _kakasi()
    if kakasi is None:
        return [(text, text)]
    return [(item["orig"], item["hepburn"]) for item in kakasi.convert(text)]


def _shorten(word: str) -> str:
    for long, short in _LONG_VOWELS:
        word = word.replace(long, short)
    return word


def words(title: str) -> list[str]:
    """The title's words in Latin letters (lower case, ASCII only)."""
    text = unicodedata.normalize("NFKC", title or "")
    out: list[str] = []
    for orig, roman in _readings(text):
        if roman != orig:
            roman = _shorten(roman)
        out.extend(piece for piece in _NOT_NAME.split(roman.lower()) if piece)
    return out


def slug(title: str) -> str:
    """A CKAN dataset name for ``title`` ('' when nothing readable is left)."""
    name = ""
    for word in words(title):
        candidate = f"{name}-{word}" if name else word
        if len(candidate) > MAX_LENGTH:
            break
        name = candidate
    return name if len(name) >= MIN_LENGTH else ""
