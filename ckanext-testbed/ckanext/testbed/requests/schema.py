"""Validators and schemas of the request actions, with Japanese messages naming the field and the fix.

They are CKAN navl schemas (``toolkit.navl_validate``) built from small validator factories, so each message
says which field (in the words of the form) is wrong and what to do.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan.plugins import toolkit as tk

from . import messages

TITLE_MAX = 200
TEXT_MAX = 5000
SHORT_MAX = 200

Validator = Callable[[Any], Any]


def _as_text(label: str, value: Any) -> str:
    if value is tk.missing or value is None:
        return ""
    if not isinstance(value, str):
        raise tk.Invalid(messages.NOT_TEXT.format(label=label))
    return value.strip()


def required_text(label: str, limit: int) -> Validator:
    """A non-empty string (after trimming) of at most ``limit`` characters."""

    def validator(value: Any) -> str:
        text = _as_text(label, value)
        if not text:
            raise tk.Invalid(messages.REQUIRED.format(label=label))
        if len(text) > limit:
            raise tk.Invalid(messages.TOO_LONG.format(label=label, limit=limit, length=len(text)))
        return text

    return validator


def optional_text(label: str, limit: int) -> Validator:
    """A string of at most ``limit`` characters; missing becomes empty."""

    def validator(value: Any) -> str:
        text = _as_text(label, value)
        if len(text) > limit:
            raise tk.Invalid(messages.TOO_LONG.format(label=label, limit=limit, length=len(text)))
        return text

    return validator


def one_of(label: str, choices: dict[str, str], required: bool = True) -> Validator:
    """One key of ``choices`` (code → Japanese label); missing is None unless required."""

    def validator(value: Any) -> str | None:
        text = _as_text(label, value)
        if not text and not required:
            return None
        if text not in choices:
            listed = "、".join(f"{code} ({word})" for code, word in choices.items())
            raise tk.Invalid(messages.CHOICE.format(label=label, value=text, choices=listed))
        return text

    return validator


def create_schema() -> dict[str, list]:
    return {
        "title": [required_text("タイトル", TITLE_MAX)],
        "description": [optional_text("ほしいデータの説明", TEXT_MAX)],
        "purpose": [optional_text("利用目的", TEXT_MAX)],
        "data_format": [optional_text("希望する形式", SHORT_MAX)],
        "area": [optional_text("対象の地域", SHORT_MAX)],
        "organization": [optional_text("担当課 (組織)", SHORT_MAX)],
        "requester": [optional_text("要望者", SHORT_MAX)],  # sysadmins only (auth.py): filing on someone's behalf
    }


def comment_schema() -> dict[str, list]:
    return {"id": [required_text("要望の ID", SHORT_MAX)], "text": [required_text("コメント", TEXT_MAX)]}


def assign_schema() -> dict[str, list]:
    return {
        "id": [required_text("要望の ID", SHORT_MAX)],
        "organization": [optional_text("担当課 (組織)", SHORT_MAX)],
        "assignee": [optional_text("担当者", SHORT_MAX)],
    }


def close_schema() -> dict[str, list]:
    return {
        "id": [required_text("要望の ID", SHORT_MAX)],
        "resolution": [one_of("対応結果", messages.RESOLUTION_LABELS)],
        "dataset": [optional_text("データセット", SHORT_MAX)],
        "reason": [one_of("対応できない理由", messages.REASON_LABELS, required=False)],
        "note": [optional_text("説明", TEXT_MAX)],
        "duplicate_of": [optional_text("重複している要望の ID", SHORT_MAX)],
    }


def validate(data_dict: dict[str, Any], schema: dict[str, list], context: dict[str, Any]) -> dict[str, Any]:
    """Validated data of the schema's keys; ``ValidationError`` (Japanese messages per field) otherwise."""
    wanted = {key: data_dict.get(key, tk.missing) for key in schema}
    data, errors = tk.navl_validate(wanted, schema, context)
    errors = {key: value for key, value in errors.items() if value}
    if errors:
        raise tk.ValidationError(errors)
    return data
