"""Validators and the navl schema of use cases, with Japanese messages naming the field and the fix.

The text validators are those of data requests (``requests/schema.py``); here are the link (http/https only)
and the list of datasets (names, ids or page URLs, as a list or one per line / comma-separated).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from ckan.plugins import toolkit as tk

from ..requests.schema import Validator, one_of, optional_text, required_text, validate
from . import messages

TITLE_MAX = 200
TEXT_MAX = 5000
SHORT_MAX = 200
URL_MAX = 1000
DATASETS_MAX = 20

__all__ = ["validate", "create_schema", "update_schema", "dataset_refs"]


def link(label: str) -> Validator:
    """An absolute http(s) URL, or empty."""

    text = optional_text(label, URL_MAX)

    def validator(value: Any) -> str:
        url = text(value)
        if not url:
            return ""
        parts = urlsplit(url)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
            raise tk.Invalid(messages.BAD_URL)
        return url

    return validator


def dataset_ref(value: str) -> str:
    """A dataset's name from what someone pastes: its name, id or page URL (``…/dataset/<name>``)."""
    value = value.strip()
    if "/dataset/" in value:
        value = value.split("/dataset/", 1)[1].split("?", 1)[0].split("#", 1)[0].strip("/").split("/", 1)[0]
    return value


def dataset_refs(value: Any) -> list[str]:
    """The dataset references of a list, or of a text with one per line / separated by commas or spaces;
    duplicates dropped, order kept."""
    if value is tk.missing or value is None:
        items: list[Any] = []
    elif isinstance(value, str):
        items = re.split(r"[\s,、，]+", value)
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        raise tk.Invalid(messages.DATASETS_REQUIRED)
    refs: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise tk.Invalid(messages.DATASETS_REQUIRED)
        ref = dataset_ref(item)
        if ref and ref not in refs:
            refs.append(ref)
    if not refs:
        raise tk.Invalid(messages.DATASETS_REQUIRED)
    if len(refs) > DATASETS_MAX:
        raise tk.Invalid(messages.TOO_MANY_DATASETS.format(limit=DATASETS_MAX, count=len(refs)))
    return refs


def kind(value: Any) -> str:
    """One of the kinds (``messages.KIND_LABELS``); left out or empty: その他."""
    if value is tk.missing or value is None or (isinstance(value, str) and not value.strip()):
        return "other"
    return one_of("種類", messages.KIND_LABELS)(value)


def create_schema() -> dict[str, list]:
    return {
        "title": [required_text("タイトル", TITLE_MAX)],
        "kind": [kind],
        "description": [optional_text("説明", TEXT_MAX)],
        "author": [optional_text("作成者・団体", SHORT_MAX)],
        "url": [link("リンク (URL)")],
        "datasets": [dataset_refs],
    }


def update_schema() -> dict[str, list]:
    return {"id": [required_text("利活用事例の ID", SHORT_MAX)], **create_schema()}
