"""The crawl's English finder (tests/helpers/ui_text.py): what counts as English left on a Japanese screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ui_text

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


def test_are_english_words_found_and_proper_nouns_and_code_left_alone():
    """Is "Profile settings" reported, while CKAN, CSV, URLs, slugs, file names, key combinations are not?"""
    allowed = ui_text.ALLOWED
    assert ui_text.latin_words("Profile settings", allowed) == ["Profile", "settings"]
    assert ui_text.latin_words("CKAN の API で CSV を読む", allowed) == []
    assert ui_text.latin_words("http://127.0.0.1:5000/dataset/x を開く", allowed) == []
    assert ui_text.latin_words("sandbox-tr01 の aed_list.csv (Ctrl+P)", allowed) == []
    assert ui_text.latin_words("詳しくは opendefinition.orgにあります", allowed) == []
    assert ui_text.latin_words("研修生 updated the データセット", allowed) == ["updated", "the"]


def test_can_the_sample_data_never_hide_an_english_sentence():
    """Are the sample data's words allowed (content), but never "the", "of", "you" (any English sentence has them)?"""
    words = ui_text.content_words(REPO / "datasets")
    assert "midorino" in words
    assert not words & {"the", "of", "you", "your", "please", "and"}
