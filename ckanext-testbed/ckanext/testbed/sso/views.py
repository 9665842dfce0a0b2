"""The pages this plugin adds: why a sign-in through the hub was refused, and whom to ask about a password."""

from __future__ import annotations

import ckan.plugins.toolkit as tk
import flask
from ckan.common import session

from . import messages

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
