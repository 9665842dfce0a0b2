"""The ``testbed_i18n`` plugin inside real CKAN: its catalogue merged over CKAN's ``ja`` one, the JavaScript
catalogue built, and the template blocks CKAN writes without gettext in Japanese."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ckanext.testbed.i18n import catalogue

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins")]


def test_does_the_page_frame_show_our_japanese_not_ckans_english(app):
    """Are strings CKAN's ja catalogue lacks ("Skip to main content") and words in English ("Powered by") Japanese?"""
    html = app.get("/dataset/").body
    assert "本文へ移動" in html and "Skip to main content" not in html
    assert "で動いています" in html and "Powered by" not in html


def test_is_an_unknown_address_answered_in_japanese(app):
    """Does a 404 say ページが見つかりません instead of the web framework's "The requested URL was not found"?"""
    res = app.get("/no-such-page-anywhere", status=404)
    assert "ページが見つかりません" in res.body and "requested URL" not in res.body


def test_is_the_javascript_catalogue_built_with_our_entries(app):
    """Does /api/i18n/ja carry CKAN's JavaScript strings ("Add Filter") and ours ("Please Confirm")?"""
    data = json.loads(app.get("/api/i18n/ja").body)
    assert data["Add Filter"][1] == "フィルター追加"
    assert data["Please Confirm"][1] == "確認してください"


def test_does_every_entry_keep_the_placeholders_of_its_msgid():
    """Would a translation drop or rename a {name} or %(name)s placeholder (a KeyError at render time)?"""
    import re

    from babel.messages.pofile import read_po

    placeholder = re.compile(r"%\(\w+\)s|\{\w*\}")
    with open(Path(catalogue.SOURCE) / "ja" / "LC_MESSAGES" / "testbed.po", "rb") as f:
        for message in read_po(f):
            if not message.id or not message.string:
                continue
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            wanted = set(placeholder.findall(ids[-1]))
            for s in strings:
                assert set(placeholder.findall(s)) <= wanted, (message.id, s)
