"""Per-resource opt-out of automatic loads: the resource field (extra) ``datastore_load``.

``datastore_load: "false"`` (also ``False``, ``"no"``, ``"0"``, ``"off"``, any case) means the
upload is never loaded on its own: no pending status, no job. ``testbed_datastore_load`` still
loads it when called. Imports nothing from CKAN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

OPT_OUT_FIELD = "datastore_load"
_NO = frozenset({"false", "no", "0", "off"})


def opted_out(resource: Mapping[str, Any]) -> bool:
    """Whether ``resource`` (a resource dict or a resource's extras) asks not to be loaded automatically."""
    value = resource.get(OPT_OUT_FIELD)
    if isinstance(value, bool):
        return not value
    if value is None:
        return False
    return str(value).strip().lower() in _NO


def wants_load_on_update(current: Mapping[str, Any], updated: Mapping[str, Any], format_changed: bool) -> bool:
    """Whether a ``resource_update`` from ``current`` to ``updated`` should queue an automatic load.

    It should when the format changed (to a loadable one: checked by the caller) or when the
    opt-out was just lifted, unless the updated resource still opts out.
    """
    if opted_out(updated):
        return False
    return format_changed or opted_out(current)
