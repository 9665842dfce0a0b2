"""Romanised URL names of Japanese titles (``romanize.py``), with pykakasi as installed in CKAN's venv.

A pure function, but pykakasi lives only in CKAN's virtualenv, hence the ``ckanext`` tier.
"""

from __future__ import annotations

import pytest
from ckanext.testbed import romanize

pytestmark = pytest.mark.ckanext


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("みどり野市", "midorino-shi"),  # pykakasi alone: "midori-noichi" (its dictionary knows 野市 in Kōchi)
        ("みどり野市の人口", "midorino-shi-no-jinko"),
        ("みどり野市市民課", "midorino-shi-shiminka"),
        ("みどり野町", "midorino-machi"),
        ("みどり台市", "midoridai-shi"),
        ("野々市市", "nonoichi-shi"),  # the name's own 市 is kept when the suffix follows
        ("四日市市", "yokkaichi-shi"),
        ("四日市の天気", "yokkaichi-no-tenki"),
        ("市川市", "ichikawa-shi"),  # a leading 市 is part of the name
        ("八王子市", "hachioji-shi"),
        ("大和郡山市", "yamatokooriyama-shi"),
        ("奈良県大和郡山市", "naraken-yamatokooriyama-shi"),
        ("世田谷区", "setagaya-ku"),
        ("檜原村", "hibara-mura"),
        ("寒川町", "samukawa-machi"),
    ],
)
def test_is_a_municipality_read_as_its_name_and_its_suffix(title, name):
    """Is 市/町/村/区 after a place name read as the suffix (its own word), never as part of a longer word?"""
    assert romanize.slug(title) == name


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("国際見本市", "kokusai-mihon-ichi"),  # 市 as "market"
        ("市町村", "shichoson"),
        ("大都市", "daitoshi"),
        ("区役所一覧", "kuyakusho-ichiran"),
        ("AED設置箇所一覧", "aed-setchi-kasho-ichiran"),
        ("指定緊急避難場所一覧", "shitei-kinkyuhinan-basho-ichiran"),
    ],
)
def test_are_common_words_with_those_characters_left_whole(title, name):
    """Do words that merely contain 市/町/村/区 (見本市, 市町村, 大都市, 区役所) keep their ordinary reading?"""
    assert romanize.slug(title) == name
