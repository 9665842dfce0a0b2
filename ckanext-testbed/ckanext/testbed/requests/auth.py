"""Who may do what with data requests (sysadmins pass every check, as everywhere in CKAN).

- file a request: anyone signed in (a self-registered requester, staff, a trainee); on behalf of a named
  requester (``requester``): sysadmins only (the training copies of ``ckan_seed/sample_requests.py``);
- read requests: anyone, except training copies (requests routed to a sandbox), which only the requester,
  that sandbox's members and coordinators see;
- comment: the requester, members of the request's organisation, coordinators;
- route and assign, close: editors and admins of the request's organisation, coordinators (only
  coordinators move a request to another organisation: ``actions.testbed_request_assign``);
- delete a request, grant the coordinator role: sysadmins only.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
from ckan.plugins import toolkit as tk

from . import messages, roles
from .model import Request

OK = {"success": True}


def _request(data_dict: dict[str, Any] | None) -> Request | None:
    ref = (data_dict or {}).get("id")
    return model.Session.get(Request, ref) if isinstance(ref, str) and ref else None


def _refused(message: str) -> dict[str, Any]:
    return {"success": False, "msg": message}


def testbed_request_create(context, data_dict=None):
    """Anyone signed in; filing on someone else's behalf (``requester``) only sysadmins, whom CKAN lets
    through before this function runs."""
    if not roles.current_user(context):
        return _refused(messages.SIGN_IN)
    if (data_dict or {}).get("requester"):
        return _refused(messages.ONLY_SYSADMIN_REQUESTER)
    return OK


@tk.auth_allow_anonymous_access
def testbed_request_show(context, data_dict=None):
    request = _request(data_dict)
    if request is None or roles.can_see(roles.current_user(context), request):
        return OK
    return _refused(messages.NOT_VISIBLE)


@tk.auth_allow_anonymous_access
def testbed_request_list(context, data_dict=None):
    return OK  # the action leaves out what the viewer may not see


def testbed_request_comment(context, data_dict=None):
    request = _request(data_dict)
    if request is None or roles.is_involved(roles.current_user(context), request):
        return OK
    return _refused(messages.NOT_INVOLVED)


def testbed_request_assign(context, data_dict=None):
    request = _request(data_dict)
    if request is None or roles.is_staff(roles.current_user(context), request):
        return OK
    return _refused(messages.NOT_STAFF_ASSIGN)


def testbed_request_close(context, data_dict=None):
    request = _request(data_dict)
    if request is None or roles.is_staff(roles.current_user(context), request):
        return OK
    return _refused(messages.NOT_STAFF_CLOSE)


def testbed_request_follow(context, data_dict=None):
    user = roles.current_user(context)
    if user is None:
        return _refused(messages.SIGN_IN)
    request = _request(data_dict)
    if request is None or roles.can_see(user, request):
        return OK
    return _refused(messages.NOT_VISIBLE)


def testbed_request_notifications(context, data_dict=None):
    return OK if roles.current_user(context) else _refused(messages.SIGN_IN)


def testbed_request_delete(context, data_dict=None):
    return _refused(messages.ONLY_SYSADMIN_DELETE)


def testbed_request_coordinator_set(context, data_dict=None):
    return _refused(messages.ONLY_SYSADMIN)


def testbed_request_coordinator_list(context, data_dict=None):
    return OK if roles.is_coordinator(roles.current_user(context)) else _refused(messages.ONLY_COORDINATORS)


def testbed_request_mail_settings(context, data_dict=None):
    """One's own choice of mail; anyone signed in."""
    return OK if roles.current_user(context) else _refused(messages.MAIL_SETTINGS_SIGN_IN)


def get_auth_functions() -> dict[str, Any]:
    return {
        "testbed_request_create": testbed_request_create,
        "testbed_request_show": testbed_request_show,
        "testbed_request_list": testbed_request_list,
        "testbed_request_comment": testbed_request_comment,
        "testbed_request_assign": testbed_request_assign,
        "testbed_request_close": testbed_request_close,
        "testbed_request_follow": testbed_request_follow,
        "testbed_request_unfollow": testbed_request_follow,
        "testbed_request_notifications": testbed_request_notifications,
        "testbed_request_notifications_read": testbed_request_notifications,
        "testbed_request_mail_settings": testbed_request_mail_settings,
        "testbed_request_delete": testbed_request_delete,
        "testbed_request_coordinator_set": testbed_request_coordinator_set,
        "testbed_request_coordinator_list": testbed_request_coordinator_list,
    }
