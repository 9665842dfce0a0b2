"""Who someone is for a request: sysadmin, coordinator (調整役), staff of the target organisation, requester.

- The coordinator role is a row in ``testbed_request_coordinator``, granted and withdrawn by a sysadmin
  (action ``testbed_request_coordinator_set``): no restart, visible in the database, and no trainee or
  requester can give it to themselves.
- Staff of a request are the editors and admins of its organisation (CKAN's own capacities); any member
  of it (also ``member`` capacity) may take part in the discussion.
- A request routed to a trainee's sandbox (a training copy) is seen only by the requester, that sandbox's
  members, coordinators and sysadmins; every other request is public, like the catalogue's datasets.
"""

from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model

from .. import practice
from .model import Coordinator, Request

STAFF_CAPACITIES = ("admin", "editor")


def current_user(context: dict[str, Any]) -> model.User | None:
    """The signed-in user of an action or auth call, or None when anonymous."""
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if name else None


def is_sysadmin(user: model.User | None) -> bool:
    return bool(user and user.sysadmin)


def is_coordinator(user: model.User | None) -> bool:
    if user is None:
        return False
    return model.Session.get(Coordinator, user.id) is not None


def can_see_all(user: model.User | None) -> bool:
    return is_sysadmin(user) or is_coordinator(user)


def capacity(user: model.User | None, organization_id: str | None) -> str | None:
    """The user's capacity (admin/editor/member) in the organisation, or None."""
    if user is None or not organization_id:
        return None
    return authz.users_role_for_group_or_org(organization_id, user.name)


def is_staff(user: model.User | None, request: Request) -> bool:
    """May assign and close: coordinators, sysadmins, editors and admins of the request's organisation."""
    return can_see_all(user) or capacity(user, request.organization_id) in STAFF_CAPACITIES


def is_involved(user: model.User | None, request: Request) -> bool:
    """May comment: the requester, any member of the request's organisation, coordinators, sysadmins."""
    if user is None:
        return False
    return user.id == request.requester_id or can_see_all(user) or capacity(user, request.organization_id) is not None


def is_training_copy(request: Request) -> bool:
    if not request.organization_id:
        return False
    org = model.Group.get(request.organization_id)
    return bool(org and practice.is_practice_org(org.name))


def can_see(user: model.User | None, request: Request) -> bool:
    if not is_training_copy(request):
        return True
    return is_involved(user, request)


def staff_ids(organization_id: str) -> list[str]:
    """Ids of the active editors and admins of an organisation (who hear of its requests)."""
    rows = (
        model.Session.query(model.Member.table_id)
        .join(model.User, model.User.id == model.Member.table_id)
        .filter(
            model.Member.group_id == organization_id,
            model.Member.table_name == "user",
            model.Member.state == "active",
            model.Member.capacity.in_(STAFF_CAPACITIES),
            model.User.state == "active",
        )
        .all()
    )
    return [row[0] for row in rows]


def coordinator_ids() -> list[str]:
    return [row[0] for row in model.Session.query(Coordinator.user_id).all()]


def member_org_ids(user: model.User) -> list[str]:
    """Ids of the organisations the user belongs to in any capacity."""
    rows = (
        model.Session.query(model.Member.group_id)
        .filter(model.Member.table_id == user.id, model.Member.table_name == "user", model.Member.state == "active")
        .all()
    )
    return [row[0] for row in rows]
