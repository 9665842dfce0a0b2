"""The catalogue as the city's portal: home-page data, the organisation list without sandboxes, slugs.

Wired in by ``plugin.py`` (``# IPackageController``, ``# IActions``, ``# ITemplateHelpers``); the rules about
practice data are in ``practice.py``, the templates in ``templates/`` and the styles and the slug script in
``public/testbed/``.
"""

from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from . import practice, romanize
from .search import fields

log = logging.getLogger(__name__)

# Font Awesome icons (shipped with CKAN) for the city's topic groups; others get the folder icon.
GROUP_ICONS = {
    "bousai": "fa-shield-halved",
    "kosodate": "fa-children",
    "fukushi-iryo": "fa-hand-holding-medical",
    "jinko-tokei": "fa-chart-column",
    "kanko-bunka": "fa-landmark",
    "kankyo": "fa-recycle",
    "gyozaisei": "fa-building-columns",
    "machizukuri": "fa-map-location-dot",
    "kyozai-kikaihandoku": "fa-chalkboard-user",
}
DEFAULT_ICON = "fa-folder-open"


def configure(config: Any) -> None:
    """Read the plugin's portal options (prefix of trainees' sandboxes)."""
    fields.set_practice_prefix(config.get("ckanext.testbed.practice.org_prefix"))


# IPackageController ---------------------------------------------------------------------------


def before_dataset_search(search_params: dict[str, Any]) -> dict[str, Any]:
    """Hide practice datasets from searches that did not ask for them (``practice.scope_search``)."""
    return practice.scope_search(search_params, tk.config.get("ckan.search.default_package_sort"))


# IActions -------------------------------------------------------------------------------------


def _official_org_names() -> list[str]:
    prefix = fields.practice_prefix()
    query = (
        model.Session.query(model.Group.name)
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
        .filter(~model.Group.name.startswith(prefix, autoescape=True))
    )
    return [name for (name,) in query]


@tk.chained_action
@tk.side_effect_free
def organization_list(up_func: Any, context: dict, data_dict: dict) -> Any:
    """CKAN's organization_list without trainees' sandboxes, unless asked (``practice.org_list_wanted``)."""
    data_dict = dict(data_dict or {})
    wanted = practice.org_list_wanted(data_dict)
    data_dict.pop(practice.ORG_PARAM, None)
    if wanted or data_dict.get("organizations"):  # named organisations: exactly those
        return up_func(context, data_dict)
    names = _official_org_names()
    if not names:  # an empty list would mean "no restriction" to core
        return []
    data_dict["organizations"] = names
    return up_func(context, data_dict)


def unique_name(title: str) -> str:
    """A free dataset name romanised from ``title`` ('' when the title has nothing readable)."""
    base = romanize.slug(title)
    if not base:
        return ""
    for n in range(1, 100):
        name = base if n == 1 else f"{base[: romanize.MAX_LENGTH - 4]}-{n}"
        if model.Package.get(name) is None:
            return name
    return ""


@tk.chained_action
def package_create(up_func: Any, context: dict, data_dict: dict) -> Any:
    """A dataset created with a title but no URL name gets a romanised one (never an empty or Latin-only slug)."""
    if not (data_dict or {}).get("name") and (data_dict or {}).get("title"):
        name = unique_name(str(data_dict["title"]))
        if name:
            data_dict = {**data_dict, "name": name}
    return up_func(context, data_dict)


@tk.side_effect_free
def testbed_dataset_name(context: dict, data_dict: dict) -> dict[str, str]:
    """The URL name the dataset form proposes for a title (for those who may create datasets)."""
    tk.check_access("package_create", context, {})
    title = str(data_dict.get("title") or "")[:500]
    return {"title": title, "name": unique_name(title)}


def get_actions() -> dict[str, Any]:
    return {
        "organization_list": organization_list,
        "package_create": package_create,
        "testbed_dataset_name": testbed_dataset_name,
    }


# ITemplateHelpers -----------------------------------------------------------------------------


def _search(**params: Any) -> dict[str, Any]:
    try:
        return tk.get_action("package_search")({}, {"include_private": False, **params})
    except (tk.ValidationError, tk.ObjectNotFound, tk.NotAuthorized):
        log.exception("home page search failed")
        return {"count": 0, "results": []}


def home_data() -> dict[str, Any]:
    """What the home page shows: counts, topic groups, popular and new datasets, departments."""
    groups = tk.get_action("group_list")(
        {}, {"all_fields": True, "include_dataset_count": True, "sort": "title asc", "limit": 50}
    )
    orgs = tk.get_action("organization_list")(
        {}, {"all_fields": True, "include_dataset_count": True, "sort": "title asc", "limit": 50}
    )
    summary = _search(rows=0)
    return {
        "dataset_count": summary.get("count", 0),
        "groups": [dict(g, icon=GROUP_ICONS.get(g["name"], DEFAULT_ICON)) for g in groups if g.get("package_count")],
        "organizations": [o for o in orgs if o.get("package_count")],
        "popular": _search(rows=5, sort="views_recent desc, metadata_modified desc")["results"],
        "recent": _search(rows=5, sort="metadata_modified desc")["results"],
    }


def city_name() -> str:
    return tk.config.get("ckanext.testbed.portal.city")


def get_helpers() -> dict[str, Any]:
    return {
        "testbed_home_data": home_data,
        "testbed_city_name": city_name,
        "testbed_romanize": romanize.slug,
        "testbed_is_practice_org": practice.is_practice_org,
    }
