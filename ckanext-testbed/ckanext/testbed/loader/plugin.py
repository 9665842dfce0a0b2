"""``testbed_loader``: load uploaded CSV/TSV/XLSX files into the DataStore, keeping Japanese headers.

A lean replacement for ckanext-xloader for this testbed (see loader/README.md for why).
Enable after ``datastore``: ``ckan.plugins = ... datastore testbed_loader``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ckan import model
from ckan.plugins import SingletonPlugin, implements, interfaces, plugin_loaded, toolkit

from . import actions, auth, helpers, triggers


@toolkit.blanket.config_declarations
class TestbedLoaderPlugin(SingletonPlugin):
    """Queues a DataStore load whenever a tabular file is uploaded or replaced."""

    implements(interfaces.IConfigurer)
    implements(interfaces.IConfigurable)
    implements(interfaces.IDomainObjectModification)
    implements(interfaces.IResourceUrlChange)
    implements(interfaces.IResourceController, inherit=True)
    implements(interfaces.IActions)
    implements(interfaces.IAuthFunctions)
    implements(interfaces.ITemplateHelpers)

    # IConfigurer

    def update_config(self, config: Any) -> None:
        toolkit.add_template_directory(config, "templates")

    # IConfigurable

    def configure(self, config: Any) -> None:
        if not plugin_loaded("datastore"):
            raise RuntimeError("testbed_loader needs the datastore plugin: list it in ckan.plugins")
        triggers.install_commit_hooks()

    # IDomainObjectModification
    # IResourceUrlChange

    def notify(self, entity: Any, operation: Any = None) -> None:
        """New resource (IDomainObjectModification) or new file/URL (IResourceUrlChange, no operation)."""
        if isinstance(entity, model.Resource) and operation in (None, model.DomainObjectOperation.new):
            triggers.resource_saved(entity)

    # IResourceController

    def before_resource_update(self, context: Any, current: dict[str, Any], resource: dict[str, Any]) -> None:
        triggers.resource_updating(current, resource)

    # IActions

    def get_actions(self) -> dict[str, Callable[..., Any]]:
        return {
            "testbed_datastore_status": actions.testbed_datastore_status,
            "testbed_datastore_load": actions.testbed_datastore_load,
        }

    # IAuthFunctions

    def get_auth_functions(self) -> dict[str, Callable[..., Any]]:
        return {
            "testbed_datastore_status": auth.testbed_datastore_status,
            "testbed_datastore_load": auth.testbed_datastore_load,
        }

    # ITemplateHelpers

    def get_helpers(self) -> dict[str, Callable[..., Any]]:
        return {"testbed_loader_status": helpers.testbed_loader_status}
