"""Run by the hub's venv python for tests/unit/test_sso_hub_classes.py (the CLI venv has no JupyterHub).

``python sso_probe.py STACK_YAML SIGN_INS_JSON`` builds the hub config from the stack config exactly as
jupyterhub_config.py does, instantiates the real authenticator class with it, signs the given people in
through the upstream code path (OAuth: from the userinfo on, no network; LTI 1.3: from the verified ID
token on), lets the hub-start hook put them into groups on an in-memory hub database, and prints JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys

from jupyterhub import orm
from jupyterhub.app import JupyterHub
from jupyterhub.user import User
from traitlets.config import Config
from traitlets.utils.importstring import import_item

from hub_config.configurer import update_all
from testbed_config import load_config

TRAITS = {
    "oauth": [
        "authorize_url",
        "token_url",
        "userdata_url",
        "client_id",
        "client_secret",
        "scope",
        "username_claim",
        "login_service",
        "oauth_callback_url",
        "groups_claim",
        "manage_groups",
    ],
    "lti13": ["issuer", "authorize_url", "jwks_endpoint", "client_id", "username_key", "uri_scheme", "custom_html"],
}
SHARED = [
    "name_book",
    "max_username_length",
    "staff_users",
    "reserved_names",
    "course_groups",
    "admin_users",
    "allow_all",
    "allow_existing_users",
    "allowed_idp_groups",
    "admin_idp_groups",
]


def _json(value):
    return sorted(value) if isinstance(value, set) else value


class Handler:
    """The little of a hub request handler the sign-in path uses: finding an existing hub user."""

    def __init__(self, db):
        self.db = db

    def find_user(self, name):
        return orm.User.find(self.db, name)


async def sign_in(auth, kind: str, data: dict, handler: Handler) -> dict | None:
    if kind == "oauth":  # stand in for the IdP's token and userinfo endpoints; the rest is upstream code
        userinfo = dict(data)

        async def token_info(handler, params):
            return {"access_token": "t0ken", "token_type": "Bearer"}

        async def token_to_user(token_info):
            return userinfo

        auth.build_access_tokens_request_params = lambda handler, data=None: {}
        auth.get_token_info = token_info
        auth.token_to_user = token_to_user
        data = None  # OAuth's sign-in form data: none, the code arrives in the callback URL
    try:
        model = await auth.get_authenticated_user(handler, data)
    except Exception as e:  # the hub turns this into its error page
        return {"refused": getattr(e, "jupyterhub_message", str(e)), "status": getattr(e, "status_code", None)}
    return None if model is None else {"name": model["name"], "admin": model["admin"]}


async def main(stack_yaml: str, sign_ins_json: str) -> dict:
    cfg = load_config(stack_yaml)
    c = Config()
    update_all(c, cfg, is_root=True)
    cls = import_item(c.JupyterHub.authenticator_class)
    auth = cls(config=c)
    kind = cfg.sso.type
    report = {
        "class": f"{cls.__module__}.{cls.__qualname__}",
        "bases": [f"{b.__module__}.{b.__qualname__}" for b in cls.__mro__],
        "traits": {name: _json(getattr(auth, name)) for name in TRAITS[kind] + SHARED},
        "sign_ins": [],
    }
    # a hub database holding the course groups and hub users the operator made before ("kato" will sign in)
    db = orm.new_session_factory("sqlite://")()
    db.add_all([orm.Group(name=g) for g in sorted(auth.course_groups)])
    db.add_all([orm.User(name="operator-made"), orm.User(name="kato")])
    db.commit()
    for data in json.loads(open(sign_ins_json, encoding="utf-8").read()):
        report["sign_ins"].append(await sign_in(auth, kind, data, Handler(db)))

    # the hub then creates the new users: a sign-in hands add_user the User wrapper, a hub start each orm.User
    names = dict.fromkeys(s["name"] for s in report["sign_ins"] if s and "name" in s)
    for i, name in enumerate(n for n in names if orm.User.find(db, n) is None):
        orm_user = orm.User(name=name)
        db.add(orm_user)
        db.commit()
        auth.add_user(User(orm_user, db=db) if i % 2 else orm_user)
    report["groups"] = {u.name: sorted(g.name for g in u.groups) for u in db.query(orm.User)}

    hub = JupyterHub(config=c)  # the app's own traits take the rest (not started)
    report["hub"] = {
        "authenticator_class": f"{hub.authenticator_class.__module__}.{hub.authenticator_class.__qualname__}",
        "cookie_options": hub.tornado_settings.get("cookie_options"),
        "load_groups": sorted(hub.load_groups),
    }
    return report


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(*sys.argv[1:3]))))
