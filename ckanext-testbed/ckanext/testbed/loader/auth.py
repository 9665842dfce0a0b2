"""Authorisation: read the load status if you can read the resource; load if you can update it."""

from __future__ import annotations

from typing import Any

from ckan.plugins import toolkit


@toolkit.auth_allow_anonymous_access
def testbed_datastore_status(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _delegate("resource_show", context, data_dict)


def testbed_datastore_load(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    return _delegate("resource_update", context, data_dict)


def _delegate(auth_name: str, context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    try:
        toolkit.check_access(auth_name, context, {"id": data_dict.get("resource_id")})
    except toolkit.NotAuthorized:
        return {"success": False, "msg": "このリソースに対する権限がありません。"}
    return {"success": True}
