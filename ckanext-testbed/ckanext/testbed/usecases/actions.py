"""API actions of use cases (利活用事例): register, show, list (gallery, a dataset's page), update, delete.

Every action checks its auth function of the same name (``auth.py``) and validates its input with a navl
schema whose messages are Japanese (``schema.py``). Datasets are shown only as far as the viewer may read them
(``access.py``). Times in answers are Japan time (ISO 8601 with +09:00). Searching (``q``) is substring
matching on NFKC-folded text, as the dataset search and data requests do, so two Japanese characters find a
use case without Solr or word segmentation.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from ckan.plugins import toolkit as tk

from .. import practice
from ..search.normalize import like_pattern, normalize_text
from . import access, images, messages, schema
from .model import UseCase, UseCaseDataset, utcnow

JST = dt.timezone(dt.timedelta(hours=9), "JST")
PRACTICE_MODES = ("", "include", "only")


def _jst(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    return value.replace(tzinfo=dt.UTC).astimezone(JST).isoformat(timespec="seconds")


def _commit(context: dict[str, Any]) -> None:
    if not context.get("defer_commit"):
        model.repo.commit()


def _get(data_dict: dict[str, Any]) -> UseCase:
    ref = data_dict.get("id")
    if not isinstance(ref, str) or not ref.strip():
        raise tk.ValidationError({"id": ["利活用事例の ID を入力してください。"]})
    usecase = model.Session.get(UseCase, ref.strip())
    if usecase is None:
        raise tk.ObjectNotFound(messages.NOT_FOUND.format(id=ref.strip()))
    return usecase


def _datasets(context: dict[str, Any], refs: list[str]) -> list[model.Package]:
    """The packages named, each readable by the registrant and public; never says more of one they cannot read."""
    viewer = access.current_user(context)
    packages, errors = [], []
    for ref in refs:
        package = model.Package.get(ref)
        readable = package is not None and package.state == "active"
        if readable:
            check = {"model": model, "session": model.Session, "user": viewer.name if viewer else ""}
            try:
                tk.check_access("package_show", check, {"id": package.id})
            except tk.NotAuthorized:
                readable = False
        if not readable:
            errors.append(messages.DATASET_NOT_FOUND.format(name=ref))
        elif package.private:
            errors.append(messages.DATASET_NOT_PUBLIC.format(name=package.title or package.name))
        elif package not in packages:
            packages.append(package)
    if errors:
        raise tk.ValidationError({"datasets": errors})
    return packages


def _is_practice(packages: list[model.Package]) -> bool:
    orgs = [model.Group.get(p.owner_org) if p.owner_org else None for p in packages]
    return bool(orgs) and all(org is not None and practice.is_practice_org(org.name) for org in orgs)


def _search_text(usecase: UseCase) -> str:
    parts = (usecase.title, usecase.description, usecase.author, messages.KIND_LABELS.get(usecase.kind, ""))
    return normalize_text(" \n ".join(part or "" for part in parts))


def _dataset_dict(package: model.Package, cache: dict[str, Any]) -> dict[str, Any]:
    org_id = package.owner_org
    if org_id and org_id not in cache:
        org = model.Group.get(org_id)
        cache[org_id] = org.title or org.name if org else None
    return {
        "id": package.id,
        "name": package.name,
        "title": package.title or package.name,
        "organization": cache.get(org_id) if org_id else None,
    }


def _as_dict(
    usecase: UseCase, viewer: model.User | None, packages: list[model.Package], cache: dict[str, Any]
) -> dict[str, Any]:
    editable = access.can_edit(viewer, usecase)
    creator = model.User.get(usecase.creator_id) if editable else None
    return {
        "id": usecase.id,
        "title": usecase.title,
        "description": usecase.description,
        "kind": usecase.kind,
        "kind_label": messages.KIND_LABELS[usecase.kind],
        "author": usecase.author,
        "url": usecase.url,
        "image": usecase.image,
        "image_url": images.url_path(usecase.image),
        "datasets": [_dataset_dict(p, cache) for p in packages],
        "practice": usecase.practice,
        "created": _jst(usecase.created),
        "modified": _jst(usecase.modified),
        "is_mine": bool(viewer and viewer.id == usecase.creator_id),
        "can_edit": editable,
        "creator": creator.name if creator else None,
    }


def _answer(usecase: UseCase, viewer: model.User | None) -> dict[str, Any]:
    packages = access.readable_datasets(viewer, [usecase.id])[usecase.id]
    return _as_dict(usecase, viewer, packages, {})


def _save(usecase: UseCase, data: dict[str, Any], packages: list[model.Package], pending: images.Pending) -> None:
    usecase.title = data["title"]
    usecase.kind = data["kind"]
    usecase.description = data["description"]
    usecase.author = data["author"]
    usecase.url = data["url"]
    usecase.image = pending.filename
    usecase.practice = _is_practice(packages)
    usecase.search_text = _search_text(usecase)
    usecase.modified = utcnow()
    model.Session.add(usecase)
    model.Session.flush()
    model.Session.query(UseCaseDataset).filter(UseCaseDataset.usecase_id == usecase.id).delete(
        synchronize_session=False
    )
    for position, package in enumerate(packages):
        model.Session.add(UseCaseDataset(usecase_id=usecase.id, package_id=package.id, position=position))
    model.Session.flush()
    try:
        pending.store()
    except tk.ValidationError:
        model.Session.rollback()
        raise


def _prepare(context: dict[str, Any], data_dict: dict[str, Any], old_image: str = "") -> tuple:
    """Validated fields, packages and image, with every field's Japanese errors at once."""
    errors: dict[str, list[str]] = {}
    try:
        data = schema.validate(data_dict, schema.create_schema(), context)
    except tk.ValidationError as e:
        errors.update(e.error_dict)
        data = None
    packages: list[model.Package] = []
    if data is not None or "datasets" not in errors:
        try:
            packages = _datasets(context, schema.dataset_refs(data_dict.get("datasets")))
        except tk.Invalid as e:
            errors["datasets"] = [e.error]
        except tk.ValidationError as e:
            errors.update(e.error_dict)
    pending = None
    try:
        pending = images.Pending(data_dict, old=old_image)
    except tk.ValidationError as e:
        errors.update(e.error_dict)
    if data is not None and pending is not None and not data["url"] and not pending.filename:
        errors.setdefault("url", []).append(messages.LINK_OR_IMAGE)
    if errors:
        raise tk.ValidationError(errors)
    return data, packages, pending


def testbed_usecase_create(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Register a use case of one or more public datasets.

    :param title: its name (required, ≤ 200 characters)
    :param kind: app (アプリ), map (地図), report (レポート), analysis (庁内分析) or other (その他)
    :param description: what it does, for whom
    :param author: who made it (作成者・団体), as it should be shown
    :param url: a link to it (http/https)
    :param image_upload: a PNG or JPEG picture of it (multipart upload); a link or an image is required
    :param datasets: the datasets it uses: a list of names (or ids, or page URLs), or one text with them
        separated by new lines or commas; each must be public and readable by the registrant
    """
    tk.check_access("testbed_usecase_create", context, data_dict)
    viewer = access.current_user(context)
    if viewer is None:
        raise tk.NotAuthorized(messages.SIGN_IN)
    data, packages, pending = _prepare(context, data_dict)
    usecase = UseCase(creator_id=viewer.id)
    _save(usecase, data, packages, pending)
    _commit(context)
    return _answer(usecase, viewer)


@tk.side_effect_free
def testbed_usecase_show(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """One use case with the datasets it uses that the viewer may read.

    :param id: the use case's id
    """
    usecase = _get(data_dict)
    tk.check_access("testbed_usecase_show", context, {"id": usecase.id})
    return _answer(usecase, access.current_user(context))


def _int(data_dict: dict[str, Any], key: str, default: int, lowest: int, highest: int) -> int:
    try:
        number = int(data_dict.get(key, default))
    except (TypeError, ValueError):
        number = None
    if number is None or not lowest <= number <= highest:
        raise tk.ValidationError({key: [f"{key} は {lowest} から {highest} までの整数で指定してください。"]})
    return number


@tk.side_effect_free
def testbed_usecase_list(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Use cases the viewer may see, newest first; searchable by Japanese substrings.

    :param q: words that must all occur in the title, description, author or kind (substrings)
    :param kind: app, map, report, analysis or other
    :param dataset: only those using this dataset (name or id)
    :param mine: only the signed-in user's own
    :param practice: trainees' course products (all datasets in sandboxes) are left out unless they are the
        viewer's own, or this is ``include`` (with the others) or ``only``; a ``dataset`` filter shows them too
    :param limit: 1–100 (default 24); ``offset`` ≥ 0
    :returns: ``{count, results, kind_counts}``
    """
    tk.check_access("testbed_usecase_list", context, data_dict)
    viewer = access.current_user(context)
    query = model.Session.query(UseCase).filter(access.visible_clause(viewer))
    q = data_dict.get("q")
    if isinstance(q, str):
        for term in normalize_text(q).split(" "):
            if term:
                query = query.filter(UseCase.search_text.like(like_pattern(term), escape="\\"))
    if data_dict.get("dataset"):
        package = model.Package.get(str(data_dict["dataset"]))
        package_id = package.id if package else None
        linked = sa.select(UseCaseDataset.usecase_id).where(UseCaseDataset.package_id == package_id)
        query = query.filter(UseCase.id.in_(linked))
    mode = str(data_dict.get("practice") or "").strip().lower()
    if mode not in PRACTICE_MODES:
        raise tk.ValidationError({"practice": ["practice は include か only で指定してください。"]})
    if mode == "only":
        query = query.filter(UseCase.practice.is_(True))
    elif mode == "" and not data_dict.get("dataset"):
        own = UseCase.creator_id == viewer.id if viewer is not None else sa.false()
        query = query.filter(sa.or_(UseCase.practice.is_(False), own))
    if tk.asbool(data_dict.get("mine", False)):
        query = query.filter(UseCase.creator_id == (viewer.id if viewer else None))
    counts = dict(query.with_entities(UseCase.kind, sa.func.count()).group_by(UseCase.kind).all())
    if data_dict.get("kind"):
        kind = schema.one_of("種類", messages.KIND_LABELS)
        try:
            query = query.filter(UseCase.kind == kind(data_dict["kind"]))
        except tk.Invalid as error:
            raise tk.ValidationError({"kind": [error.error]}) from None
    limit = _int(data_dict, "limit", 24, 1, 100)
    offset = _int(data_dict, "offset", 0, 0, 10**9)
    count = query.count()
    rows = query.order_by(UseCase.created.desc(), UseCase.id).offset(offset).limit(limit).all()
    shown = access.readable_datasets(viewer, [row.id for row in rows])
    cache: dict[str, Any] = {}
    return {
        "count": count,
        "results": [_as_dict(row, viewer, shown[row.id], cache) for row in rows],
        "kind_counts": {kind: counts.get(kind, 0) for kind in messages.KIND_LABELS},
    }


def testbed_usecase_update(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Change a use case; fields left out keep their values. Creator and sysadmins only.

    :param id: the use case's id
    :param clear_image: true to remove its image (a new ``image_upload`` replaces it anyway)
    Other parameters as ``testbed_usecase_create``.
    """
    usecase = _get(data_dict)
    tk.check_access("testbed_usecase_update", context, {"id": usecase.id})
    current = {
        "title": usecase.title,
        "kind": usecase.kind,
        "description": usecase.description,
        "author": usecase.author,
        "url": usecase.url,
        "datasets": [
            row.package_id
            for row in model.Session.query(UseCaseDataset)
            .filter_by(usecase_id=usecase.id)
            .order_by(UseCaseDataset.position)
        ],
    }
    merged = {**current, **{key: value for key, value in data_dict.items() if key != "id"}}
    data, packages, pending = _prepare(context, merged, old_image=usecase.image)
    _save(usecase, data, packages, pending)
    _commit(context)
    return _answer(usecase, access.current_user(context))


def testbed_usecase_delete(context: dict[str, Any], data_dict: dict[str, Any]) -> dict[str, Any]:
    """Delete a use case and its image for good. Creator and sysadmins only.

    :param id: the use case's id
    """
    usecase = _get(data_dict)
    tk.check_access("testbed_usecase_delete", context, {"id": usecase.id})
    image = usecase.image
    model.Session.query(UseCaseDataset).filter(UseCaseDataset.usecase_id == usecase.id).delete(
        synchronize_session=False
    )
    model.Session.delete(usecase)
    _commit(context)
    images.remove(image)
    return {"id": usecase.id, "deleted": True}


def get_actions() -> dict[str, Any]:
    return {
        name: function
        for name, function in globals().items()
        if name.startswith("testbed_usecase_") and callable(function)
    }
