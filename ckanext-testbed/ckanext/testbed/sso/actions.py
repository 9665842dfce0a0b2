"""CKAN actions over the sign-in locks of CKAN's own form (``throttle.py``), for the hub and the operator's CLI.

``testbed_signin_lock_list`` lists every current lock (scope, key, seconds left, failures since the lock, the
limit that locked it); ``testbed_signin_lock_delete`` lifts the locks of one name or address (and forgets its
recent failures). Both are for sysadmins only (the auth functions allow nobody else; CKAN lets sysadmins through
before asking them). The hub's API (``hub_config/throttle_api.py``) calls them with CKAN's admin token, so the
instructor's console can show CKAN's locks beside the hub's without anyone being a CKAN sysadmin, and without
the console holding Redis's password.
"""

from __future__ import annotations

import logging

import ckan.plugins.toolkit as tk

from . import throttle

log = logging.getLogger(__name__)

LIST, DELETE = "testbed_signin_lock_list", "testbed_signin_lock_delete"


def _sysadmins_only(context, data_dict=None):
    return {"success": False, "msg": "サインインのロックは CKAN の管理者だけが扱えます。"}


@tk.side_effect_free
def signin_lock_list(context, data_dict):
    """Every current lock: ``[{scope, key, seconds_left, failures, limit}]``, users first."""
    tk.check_access(LIST, context, data_dict)
    t = throttle.throttle()
    return [
        {
            "scope": scope,
            "key": key,
            "seconds_left": left,
            "failures": t.failures(scope, key),
            "limit": t.limits.limit(scope),
        }
        for scope, key, left in t.locks()
    ]


def signin_lock_delete(context, data_dict):
    """Lift every lock whose key is one of ``names`` (a list, or ``name``): ``[{scope, key}]`` lifted.

    A name's failures are forgotten as well, locked or not; only locks are reported (an empty list: nothing
    was locked under those names)."""
    tk.check_access(DELETE, context, data_dict)
    names = data_dict.get("names") or [data_dict.get("name", "")]
    if isinstance(names, str):
        names = [names]
    names = [n.strip() for n in names if isinstance(n, str) and n.strip()]
    if not names:
        raise tk.ValidationError({"name": ["解除するユーザー名またはアドレスを指定してください。"]})
    t = throttle.throttle()
    lifted = []
    for scope in (throttle.USER, throttle.ADDRESS):
        for key in names:
            if t.locked_for(scope, key):
                lifted.append({"scope": scope, "key": key})
            t.forget(scope, key)
    who = context.get("user", "")
    for lock in lifted:
        log.info("%s lifted the CKAN sign-in lock of %s %r", who, lock["scope"], lock["key"])
    return lifted


def get_actions() -> dict:
    return {LIST: signin_lock_list, DELETE: signin_lock_delete}


def get_auth_functions() -> dict:
    return {LIST: _sysadmins_only, DELETE: _sysadmins_only}
