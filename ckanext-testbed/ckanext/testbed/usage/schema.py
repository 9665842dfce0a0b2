"""Parameters of the usage actions: validators with Japanese messages, and the schema that uses them.

Written as CKAN validators (``navl`` schema functions, ``tk.Invalid`` with a message) so that a bad call
answers CKAN's usual 409 ValidationError with one message per field, which names the problem and the fix.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import ckan.plugins.toolkit as tk

KINDS = {"views": "page", "downloads": "resource"}  # parameter value -> tracking_raw.tracking_type
MAX_DAYS = 731  # two years: enough for a before/after comparison, small enough for one query
DEFAULT_DAYS = 90


def usage_kind(value: Any) -> str:
    """``views`` (dataset page views) or ``downloads`` (resource downloads)."""
    text = str(value).strip().lower()
    if text not in KINDS:
        raise tk.Invalid("kind は views（閲覧数）か downloads（ダウンロード数）を指定してください。")
    return text


def iso_day(value: Any) -> date:
    """A calendar day written ``2026-09-01`` (a date object passes as it is)."""
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise tk.Invalid(f"日付 {value!r} が読めません。2026-09-01 のように 年-月-日 で指定してください。") from None


def usage_daily_schema() -> dict[str, Any]:
    ignore_missing = tk.get_validator("ignore_missing")
    unicode_safe = tk.get_validator("unicode_safe")
    return {
        "id": [ignore_missing, unicode_safe],
        "org": [ignore_missing, unicode_safe],
        "kind": [tk.get_validator("default")("views"), usage_kind],
        "start": [ignore_missing, iso_day],
        "end": [ignore_missing, iso_day],
    }


def usage_summary_schema() -> dict[str, Any]:
    ignore_missing = tk.get_validator("ignore_missing")
    return {
        "org": [ignore_missing, tk.get_validator("unicode_safe")],
        "start": [ignore_missing, iso_day],
        "end": [ignore_missing, iso_day],
        "with_days": [tk.get_validator("default")(False), tk.get_validator("boolean_validator")],
    }


def check_period(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The period asked for, with defaults (the ``DEFAULT_DAYS`` days up to today); raises ValidationError."""
    end = end or today
    start = start or date.fromordinal(end.toordinal() - DEFAULT_DAYS + 1)
    if start > end:
        msg = "start が end より後になっています。start ≦ end になるように指定してください。"
        raise tk.ValidationError({"start": [msg]})
    if (end - start).days + 1 > MAX_DAYS:
        days = (end - start).days + 1
        msg = f"期間が長すぎます（{days}日）。{MAX_DAYS}日以内になるように start か end を指定してください。"
        raise tk.ValidationError({"start": [msg]})
    return start, end


def check_target(data: dict[str, Any]) -> None:
    """Exactly one of ``id`` (a dataset) and ``org`` (an organisation)."""
    if bool(data.get("id")) == bool(data.get("org")):
        msg = "id（データセットの名前かID）か org（組織の名前かID）のどちらか1つを指定してください。"
        raise tk.ValidationError({"id": [msg]})
