"""Authenticators for single sign-on in remote mode: generic OAuth 2.0 / OIDC and LTI 1.3 (an LMS).

Both add the testbed's rules to the upstream classes (oauthenticator 17.4 ``GenericOAuthenticator``,
jupyterhub-ltiauthenticator 1.6.3 ``LTI13Authenticator``), configured by ``sso.sso_settings``:

- the IdP's name becomes a Unix-safe hub name bound to the IdP's subject (``sso_names``), or the
  person sees a Japanese error page saying why not;
- everyone who signs in through SSO (staff aside) joins the course groups ``nbgrader-<course>``;
- ``allowed_idp_groups`` / ``admin_idp_groups`` read the IdP's group claim (LTI: the roles), since
  the upstream ``allowed_groups`` / ``admin_groups`` need ``manage_groups``, which JupyterHub 6
  refuses beside ``load_groups`` (the formgrader groups).
"""

from __future__ import annotations

from functools import reduce

from jupyterhub import orm
from jupyterhub.auth import Authenticator
from ltiauthenticator.lti13.auth import LTI13Authenticator
from oauthenticator.generic import GenericOAuthenticator
from sqlalchemy.orm import object_session
from tornado import web
from traitlets import Integer, Set, Unicode

from hub_config.sso import NOT_ALLOWED
from hub_config.sso_names import NameBook, NameRefused, NameRules

LTI_ROLES_CLAIM = "https://purl.imsglobal.org/spec/lti/claim/roles"


def _refuse(message: str) -> web.HTTPError:
    error = web.HTTPError(403, "SSO sign-in refused")
    error.jupyterhub_message = message  # shown on the hub's (Japanese) error page
    return error


class TestbedSSOAuthenticator(Authenticator):
    """The testbed's rules shared by both SSO authenticators (a mixin: list it before the upstream class)."""

    name_book = Unicode(help="SQLite file binding each IdP identity to its hub name (names.SSO_NAME_DB).").tag(
        config=True
    )
    identity_namespace = Unicode(
        help="Prefix of the identities in the name book (the IdP), so another IdP's subjects never match."
    ).tag(config=True)
    max_username_length = Integer(24, help="Longest hub name (the Unix account adds its prefix; 32 in all).").tag(
        config=True
    )
    email_domains = Set(help="Domains whose addresses give the part before @ as name (empty: any).").tag(config=True)
    staff_users = Set(help="Admins and instructors: allowed regardless of groups, never put in course groups.").tag(
        config=True
    )
    reserved_names = Set(help="Hub names SSO never hands out (the courses' grader accounts).").tag(config=True)
    course_groups = Set(help="Hub groups every SSO user joins (nbgrader-<course>).").tag(config=True)
    allowed_idp_groups = Set(help="If set, only members of these IdP groups (LTI: roles) and staff may sign in.").tag(
        config=True, allow_config=True
    )
    admin_idp_groups = Set(help="Members of these IdP groups (LTI: roles) are hub admins.").tag(config=True)

    @property
    def rules(self) -> NameRules:
        return NameRules(
            max_length=self.max_username_length,
            email_domains=frozenset(self.email_domains),
            staff=frozenset(self.staff_users),
            reserved=frozenset(self.reserved_names),
        )

    def identity(self, subject, raw) -> str:
        return f"{self.identity_namespace}|{subject or raw}"

    def hub_name(self, subject, raw) -> str:
        """The hub name for the IdP's subject (stable id) and name claim; a Japanese 403 page if there is none."""
        raw = str(raw)
        try:
            name = NameBook(self.name_book).propose(self.identity(subject, raw), raw, self.rules)
        except NameRefused as e:
            self.log.warning("SSO name %r refused: %s", raw, e)
            raise _refuse(str(e)) from None
        if name != raw:
            self.log.info("SSO name %r signs in as %s", raw, name)
        return name

    def idp_subject(self, auth_state: dict) -> tuple[object, str]:
        """The IdP's stable subject and raw name claim, from a fresh authentication's auth_state."""
        raise NotImplementedError

    async def run_post_auth_hook(self, handler, auth_model):
        """Let in: the name now belongs to this identity for good (refused names were never bound)."""
        subject, raw = self.idp_subject(auth_model.get("auth_state") or {})
        try:
            NameBook(self.name_book).bind(self.identity(subject, raw), auth_model["name"], str(raw))
        except NameRefused as e:
            raise _refuse(str(e)) from None
        # a hub user made before (by the operator, or before SSO) joins the course now; a new one in add_user
        existing = handler.find_user(auth_model["name"]) if handler is not None else None
        if existing is not None:
            self.join_courses(existing)
        return await super().run_post_auth_hook(handler, auth_model)

    def idp_groups(self, authentication: dict | None) -> set[str]:
        """The IdP groups (LTI: roles) in a fresh authentication model."""
        raise NotImplementedError

    def is_admin(self, handler, authentication):
        if authentication["name"] in self.admin_users:
            return True
        if not self.admin_idp_groups:
            return None  # unchanged
        # with admin groups configured, leaving the group at the IdP takes admin rights away at next sign-in
        return bool(self.idp_groups(authentication) & self.admin_idp_groups)

    async def check_allowed(self, username, authentication=None):
        """Called when allow_all is off: demo mode (allowed_users) or sso.allowed_groups."""
        if username in self.allowed_users:
            return True
        if self.allowed_idp_groups and authentication is not None:
            if username in self.staff_users or username in self.admin_users:
                return True
            groups = self.idp_groups(authentication)
            if groups & (self.allowed_idp_groups | self.admin_idp_groups):
                return True
        self.log.warning("SSO user %s is not in an allowed group", username)
        raise _refuse(NOT_ALLOWED)

    def add_user(self, user):
        """A new hub user (first sign-in), or each one at hub start: SSO users join the courses (new ones too)."""
        super().add_user(user)
        self.join_courses(user)

    def join_courses(self, user) -> None:
        """Put an SSO user into the course groups ``nbgrader-<course>`` (staff and operator-made users aside)."""
        if user.name in self.staff_users or not NameBook(self.name_book).is_bound(user.name):
            return
        orm_user = getattr(user, "orm_user", user)  # hub start passes orm.User, a sign-in the User wrapper
        db = object_session(orm_user)
        groups = [g for g in (orm.Group.find(db, n) for n in sorted(self.course_groups)) if g is not None]
        missing = [g for g in groups if g not in orm_user.groups]
        if missing:
            orm_user.groups.extend(missing)
            db.commit()
            self.log.info("SSO user %s joined %s", user.name, ", ".join(g.name for g in missing))


class TestbedOAuthenticator(TestbedSSOAuthenticator, GenericOAuthenticator):
    """GenericOAuthenticator (OAuth 2.0 / OpenID Connect) with the testbed's names, groups and allow rules."""

    groups_claim = Unicode("groups", help="Userinfo claim with the user's groups (dots for nested keys).").tag(
        config=True
    )

    def user_info_to_username(self, user_info):
        return self.hub_name(*self._subject(user_info))

    def _subject(self, user_info: dict) -> tuple[object, str]:
        return user_info.get("sub") or user_info.get("id"), super().user_info_to_username(user_info)

    def idp_subject(self, auth_state):
        return self._subject(auth_state.get(self.user_auth_state_key) or {})

    def idp_groups(self, authentication):
        userinfo = ((authentication or {}).get("auth_state") or {}).get(self.user_auth_state_key) or {}
        try:
            groups = reduce(dict.get, self.groups_claim.split("."), userinfo)
        except TypeError:  # a step that is not a dict
            groups = None
        if isinstance(groups, str):
            groups = [groups]
        return {str(g) for g in groups or []}


class TestbedLTI13Authenticator(TestbedSSOAuthenticator, LTI13Authenticator):
    """LTI13Authenticator (launch from an LMS) with the testbed's names, groups and allow rules."""

    # configurable here (upstream it is not): the sign-in page says to come from the LMS
    custom_html = Unicode(help="HTML shown instead of the sign-in form (trainees start from the LMS).").tag(config=True)

    def get_username(self, token):
        return self.hub_name(*self.idp_subject(token))

    def idp_subject(self, auth_state):
        return auth_state.get("sub"), super().get_username(auth_state)  # auth_state is the ID token

    def idp_groups(self, authentication):
        """LTI roles, both as URIs and by their last part (…/membership#Instructor → Instructor)."""
        roles = ((authentication or {}).get("auth_state") or {}).get(LTI_ROLES_CLAIM) or []
        return {str(r) for r in roles} | {str(r).rsplit("#", 1)[-1] for r in roles}
