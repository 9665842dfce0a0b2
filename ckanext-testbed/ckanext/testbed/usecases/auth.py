"""Auth functions of the use-case actions (the rules themselves: ``access.py``)."""

from __future__ import annotations

from typing import Any

import ckan.model as model
from ckan.plugins import toolkit as tk

from . import access, messages
from .model import UseCase

OK = {"success": True}


def _usecase(data_dict: dict[str, Any] | None) -> UseCase | None:
    ref = (data_dict or {}).get("id")
    return model.Session.get(UseCase, ref) if isinstance(ref, str) and ref else None


def _refused(message: str) -> dict[str, Any]:
    return {"success": False, "msg": message}


def testbed_usecase_create(context, data_dict=None):
    return OK if access.current_user(context) else _refused(messages.SIGN_IN)


@tk.auth_allow_anonymous_access
def testbed_usecase_show(context, data_dict=None):
    usecase = _usecase(data_dict)
    if usecase is None or access.is_visible(access.current_user(context), usecase):
        return OK
    return _refused(messages.NOT_VISIBLE)


@tk.auth_allow_anonymous_access
def testbed_usecase_list(context, data_dict=None):
    return OK  # the action leaves out what the viewer may not see


def testbed_usecase_update(context, data_dict=None):
    usecase = _usecase(data_dict)
    if usecase is None or access.can_edit(access.current_user(context), usecase):
        return OK
    return _refused(messages.ONLY_OWNER)


def get_auth_functions() -> dict[str, Any]:
    return {
        "testbed_usecase_create": testbed_usecase_create,
        "testbed_usecase_show": testbed_usecase_show,
        "testbed_usecase_list": testbed_usecase_list,
        "testbed_usecase_update": testbed_usecase_update,
        "testbed_usecase_delete": testbed_usecase_update,
    }
