"""The pages this plugin adds: why a sign-in through the hub was refused, whom to ask about a password, and the
sysadmins' list of sign-in locks of CKAN's own form (with unlock)."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import flask
from ckan.common import current_user, session

from . import messages, throttle

REFUSAL = "testbed_sso:refusal"  # set by the plugin's get_oidc_user when it refuses someone
OIDC_ERROR = "ckanext:oidc-pkce:error"  # ckanext-oidc-pkce's session key for its own reasons (views.py)
CAME_FROM = "ckanext:oidc-pkce:came_from"  # ... and for where to go after signing in

bp = flask.Blueprint("testbed_sso", __name__)


@bp.route("/user/login/hub/refused")
def refused():
    """Where ckanext-oidc-pkce sends a failed sign-in (``error_redirect``): the reason in Japanese, status 403."""
    reason = session.pop(REFUSAL, None)
    flow = session.pop(OIDC_ERROR, None)
    session.pop("_flashes", None)  # drop ckanext-oidc-pkce's English flash ("Unique user not found")
    if reason in messages.REFUSED:
        text = messages.REFUSED[reason]
    elif flow in messages.FLOW:
        text = messages.FLOW[flow]
    else:
        text = messages.FLOW_OTHER
    return tk.render("testbed_sso/refused.html", {"message": text}), 403


def password_help(id: str | None = None):
    """CKAN's password reset (/user/reset, /user/reset/<id>) replaced: no mail is sent here, so say whom to ask."""
    return tk.render("testbed_sso/password_help.html", {"title": messages.RESET_TITLE})


SCOPE_LABELS = {throttle.USER: "アカウント", throttle.ADDRESS: "端末 (アドレス)"}


@bp.route("/ckan-admin/signin-locks", methods=["GET", "POST"])
def signin_locks():
    """CKAN's sysadmins: the current locks of CKAN's own sign-in form, and lifting one (POST ``scope``, ``key``)."""
    if not (current_user.is_authenticated and current_user.sysadmin):
        return tk.abort(403, "このページは CKAN の管理者だけが開けます。")
    if tk.request.method == "POST":
        scope, key = tk.request.form.get("scope", ""), tk.request.form.get("key", "")
        if scope in SCOPE_LABELS and key:
            throttle.throttle().forget(scope, key)
            throttle.log.info("%s lifted the CKAN sign-in lock of %s %r", current_user.name, scope, key)
            tk.h.flash_success(f"{SCOPE_LABELS[scope]}「{key}」のサインインのロックを解除しました。")
        return tk.redirect_to("testbed_sso.signin_locks")
    try:
        locks = [
            {"scope": scope, "label": SCOPE_LABELS[scope], "key": key, "minutes": -(-left // 60)}
            for scope, key, left in throttle.throttle().locks()
        ]
        unavailable = False
    except Exception as e:  # Redis down: say so instead of a 500
        throttle.log.error("sign-in locks unavailable: %s", e)
        locks, unavailable = [], True
    return tk.render("testbed_sso/signin_locks.html", {"locks": locks, "unavailable": unavailable})
