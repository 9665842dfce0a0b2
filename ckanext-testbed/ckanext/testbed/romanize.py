"""Readable URL names for Japanese dataset titles: 「AED設置箇所一覧」 → ``aed-setchi-kasho-ichiran``.

CKAN's slug (its form's JavaScript and ``munge_title_to_name``) keeps only Latin letters, so a Japanese
title gave an empty or meaningless name. Here the title is read with pykakasi (Hepburn, long vowels
shortened as in passports and station signs: 統計 → tokei) and turned into a valid CKAN name.

A municipality's suffix (市 町 村 区) is read as the suffix and given its own word: pykakasi's dictionary
knows place names such as 野市 (noichi) and 四日市, and so read みどり野市 as "midori noichi"; here 市 read
"ichi" at the end of a name that started earlier is the suffix (みどり野市 → midorino-shi), while a name
whose own last character is 市 keeps it when the suffix follows (四日市市 → yokkaichi-shi).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

MIN_LENGTH, MAX_LENGTH = 2, 100  # CKAN's PACKAGE_NAME_MIN_LENGTH / PACKAGE_NAME_MAX_LENGTH
_LONG_VOWELS = (("ou", "o"), ("uu", "u"), ("ee", "e"))
_NOT_NAME = re.compile(r"[^a-z0-9]+")

# a municipality's suffix -> its readings as a suffix (before long vowels are shortened)
_SUFFIXES = {"市": ("shi",), "区": ("ku",), "町": ("machi", "chou"), "村": ("mura", "son")}
# common words ending in a suffix's character that are no place name: markets (市 read "ichi") and others
_WORDS = frozenset(
    {"朝市", "夜市", "闇市", "見本市", "骨董市", "植木市", "朝顔市", "蚤の市", "酉の市", "歳の市"}
    | {"地区", "学区", "都市", "大都市", "農村", "山村", "漁村", "市町村", "市区町村", "全市", "各市", "同市", "当市"}
)
# tokens after which a new name starts: prefecture, county, particles
_NAME_BREAKS = frozenset("都道府県郡")
_PARTICLES = frozenset({"の", "は", "が", "を", "に", "と", "で", "や", "へ", "も", "から", "まで", "より"})
_JAPANESE = re.compile(r"^[\u3041-\u309f\u30a0-\u30ff\u3400-\u9fff々〆ヶ]+$")


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


def _continues_name(previous: tuple[str, str] | None) -> bool:
    """Can the token ``previous`` be the start of the place name that the next token ends?"""
    if previous is None or not _JAPANESE.match(previous[0]):
        return False
    return previous[0] not in _PARTICLES and previous[0][-1] not in _NAME_BREAKS


def _place_suffixes(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``pairs`` with a municipality's suffix read as the suffix and split off as its own token."""
    out: list[tuple[str, str]] = []
    for i, (orig, roman) in enumerate(pairs):
        suffix, stem, reading = orig[-1:], orig[:-1], roman.replace("'", "")
        following = pairs[i + 1][0] if i + 1 < len(pairs) else ""
        readings = _SUFFIXES.get(suffix, ())
        said = next((r for r in readings if reading.endswith(r) and len(reading) > len(r)), None)
        market = suffix == "市" and reading.endswith("ichi") and orig not in _WORDS
        before = out[-1] if out else None
        if not readings or orig == roman or following in _SUFFIXES:
            out.append((orig, roman))  # not a suffix, or 四日市 before its own 市
        elif not stem:  # a bare suffix: a lone character pykakasi split off the name goes back to it
            if len(out) >= 2 and len(before[0]) == 1 and _JAPANESE.match(before[0]) and _continues_name(out[-2]):
                out.pop()
                out[-1] = (out[-1][0] + before[0], out[-1][1] + before[1])  # みどり + 野 + 区
            out.append((orig, roman))
        elif (market or (said and len(orig) == 2 and orig not in _WORDS)) and _continues_name(before):
            # 野市 read "noichi" (or 野町 "nomachi") after みどり: the name is みどり野, then the suffix
            stem_roman = reading[: -len(said)] if said else "".join(r for _, r in _readings(stem))
            out[-1] = (before[0] + stem, before[1] + stem_roman)
            out.append((suffix, said or "shi"))
        elif said and len(orig) >= 3 and orig not in _WORDS and stem[-1] not in _SUFFIXES:
            out += [(stem, reading[: -len(said)]), (suffix, said)]  # 八王子市 → hachioji + shi
        else:
            out.append((orig, roman))
    return out


def _shorten(word: str) -> str:
    for long, short in _LONG_VOWELS:
        word = word.replace(long, short)
    return word


def words(title: str) -> list[str]:
    """The title's words in Latin letters (lower case, ASCII only)."""
    text = unicodedata.normalize("NFKC", title or "")
    out: list[str] = []
    for orig, roman in _place_suffixes(_readings(text)):
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
