"""Who may see other users: trainees share one CKAN, and each one's 氏名 and 所属 are theirs alone.

CKAN shows every account to every signed-in user by default (``user_list``, ``user_show``, the ``/user/``
pages, ``user_autocomplete``). These auth functions, chained onto CKAN's, keep that to sysadmins (CKAN
lets sysadmins, and so the provisioning token, past every auth function) and let anyone else see only their
own account.
"""

from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

ONLY_SYSADMINS = "ほかの利用者の一覧は、サイト管理者だけが見られます。"
ONLY_SELF = "ほかの利用者の情報は、サイト管理者だけが見られます。自分の情報だけを見られます。"


def _requester(context: dict[str, Any]) -> model.User | None:
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if name else None


@tk.chained_auth_function
def user_list(next_auth, context, data_dict=None):
    """Refused for everyone but sysadmins (who never reach here); ``user_autocomplete`` asks this too."""
    return {"success": False, "msg": ONLY_SYSADMINS}


@tk.chained_auth_function
def user_show(next_auth, context, data_dict=None):
    """One's own account only; then CKAN's own rule (signed in, unless the catalogue shows users publicly)."""
    data_dict = data_dict or {}
    target = context.get("user_obj")
    if not isinstance(target, model.User):
        ident = data_dict.get("id")
        target = model.User.get(ident) if ident else None
    me = _requester(context)
    if me is None or target is None or target.id != me.id:
        return {"success": False, "msg": ONLY_SELF}
    return next_auth(context, data_dict)


def auth_functions() -> dict[str, Any]:
    return {"user_list": user_list, "user_show": user_show}
