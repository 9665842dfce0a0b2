"""Who sees and who changes a use case (sysadmins pass every check, as everywhere in CKAN).

- A dataset is shown in a use case only to viewers who may read it: it is active and public, or the viewer is
  a member of its organisation, or a sysadmin (CKAN's default ``package_show`` rule, in SQL so that lists page
  correctly). When a cited dataset later becomes private, it disappears from the use case for everyone else.
- A use case is seen by its creator, sysadmins, and whoever may read at least one of its datasets: a use
  case of private datasets only is never shown to someone who may not read them.
- Registering needs a signed-in user; changing and deleting, the creator or a sysadmin.
- A use case whose datasets are all in trainees' sandboxes (a course product, ``practice``) is left out of
  the gallery unless it is asked for or is the viewer's own, as practice datasets are left out of searches.
"""

from __future__ import annotations

import ckan.model as model
import sqlalchemy as sa

from ..requests.roles import current_user, member_org_ids
from .model import UseCase, UseCaseDataset

__all__ = ["current_user", "readable_datasets", "visible_clause", "can_edit"]


def _readable(viewer: model.User | None):
    """SQL condition on ``package``: may the viewer read it?"""
    active = model.Package.state == "active"
    if viewer is not None and viewer.sysadmin:
        return active
    orgs = member_org_ids(viewer) if viewer is not None else []
    if orgs:
        return sa.and_(active, sa.or_(model.Package.private.is_(False), model.Package.owner_org.in_(orgs)))
    return sa.and_(active, model.Package.private.is_(False))


def visible_clause(viewer: model.User | None):
    """SQL condition on ``testbed_usecase``: may the viewer see it?"""
    if viewer is not None and viewer.sysadmin:
        return sa.true()
    readable = (
        sa.select(UseCaseDataset.usecase_id)
        .join(model.Package, model.Package.id == UseCaseDataset.package_id)
        .where(UseCaseDataset.usecase_id == UseCase.id, _readable(viewer))
        .exists()
    )
    if viewer is None:
        return readable
    return sa.or_(UseCase.creator_id == viewer.id, readable)


def readable_datasets(viewer: model.User | None, usecase_ids: list[str]) -> dict[str, list[model.Package]]:
    """The datasets of each use case that the viewer may read, in the registrant's order."""
    if not usecase_ids:
        return {}
    rows = (
        model.Session.query(UseCaseDataset.usecase_id, model.Package)
        .join(model.Package, model.Package.id == UseCaseDataset.package_id)
        .filter(UseCaseDataset.usecase_id.in_(usecase_ids), _readable(viewer))
        .order_by(UseCaseDataset.usecase_id, UseCaseDataset.position)
        .all()
    )
    found: dict[str, list[model.Package]] = {uid: [] for uid in usecase_ids}
    for usecase_id, package in rows:
        found[usecase_id].append(package)
    return found


def can_edit(viewer: model.User | None, usecase: UseCase) -> bool:
    return viewer is not None and (viewer.sysadmin or viewer.id == usecase.creator_id)


def is_visible(viewer: model.User | None, usecase: UseCase) -> bool:
    query = model.Session.query(UseCase.id).filter(UseCase.id == usecase.id, visible_clause(viewer))
    return query.first() is not None
