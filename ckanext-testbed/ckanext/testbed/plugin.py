"""The ``testbed`` CKAN plugin: dataset search from PostgreSQL, without Solr.

Enabling it replaces CKAN's Solr search internals (see ``search/patches.py``) so that
dataset pages, package_search, facets, organisation/group/tag pages and
``ckan search-index rebuild`` work on a machine that has no Solr. The search table is
created when the plugin starts (``search/schema.py``); on a catalogue that already has
datasets, run ``ckan search-index rebuild`` once after enabling the plugin.

It also keeps each user's account details (氏名, 所属) to themselves and sysadmins (``users.py``), and
makes the catalogue the city's portal: home and About pages, 人気順, romanised URL names, trainees'
practice publishing kept out of the public lists unless asked for (``portal.py``, ``practice.py``); views and
downloads per day for usage dashboards (``usage/``); uploaded files removed from storage when their dataset is purged
or their resource deleted (``resource_files.py``), and those left by earlier purges removed by
``ckan testbed purge-orphan-files`` (``orphan_files.py``).
"""

from __future__ import annotations

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk

from . import activity_count, cli, portal, resource_files, users
from .requests import actions as request_actions
from .requests import auth as request_auth
from .requests import helpers as request_helpers
from .requests import mail as request_mail
from .requests import views as request_views
from .search import patches, query, schema
from .usage import logic as usage
from .usage import views as usage_views
from .usecases import actions as usecase_actions
from .usecases import auth as usecase_auth
from .usecases import helpers as usecase_helpers
from .usecases import views as usecase_views


@tk.blanket.config_declarations
class TestbedPlugin(p.SingletonPlugin):
    """Solr-free search for the Open Data Testbed catalogue."""

    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)
    p.implements(p.IAuthFunctions)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IActions)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IBlueprint)
    p.implements(p.INotifier)
    p.implements(p.IClick)

    # IConfigurer

    def update_config(self, config: tk.CKANConfig) -> None:
        """Swap the search backend before CKAN's start-up Solr check runs."""
        patches.apply()
        tk.add_template_directory(config, "templates")
        tk.add_resource("assets", "testbed")

    # IConfigurable

    def configure(self, config: tk.CKANConfig) -> None:
        """Make sure the search table exists (CKAN's engine is ready at this point)."""
        schema.ensure_table(model.meta.engine)
        query.RESULTS.max_bytes = int(config.get("ckanext.testbed.search.result_cache_mb")) * 1024 * 1024
        portal.configure(config)
        request_mail.install_commit_hooks()  # data-request mails are queued when the action's transaction commits

    # IAuthFunctions

    def get_auth_functions(self) -> dict:
        """Trainees see no other user (``users.py``); usage figures as far as the dataset may be read (``usage/``);
        who may file, read, discuss, route and close data requests (``requests/auth.py``); who may register and
        change use cases (``usecases/auth.py``)."""
        return {
            **users.auth_functions(),
            **usage.get_auth_functions(),
            **request_auth.get_auth_functions(),
            **usecase_auth.get_auth_functions(),
        }

    # IPackageController

    def before_dataset_search(self, search_params: dict) -> dict:
        """Trainees' practice datasets only in searches that ask for them (``practice.py``)."""
        return portal.before_dataset_search(search_params)

    # IActions

    def get_actions(self) -> dict:
        """organization_list without sandboxes; romanised names for new datasets (``portal.py``); views and
        downloads per day (``usage/``); data requests (``requests/``); use cases (``usecases/``); the header's count
        of new activities (``activity_count.py``); dataset_purge and resource_delete that also remove the uploaded
        files (``resource_files.py``)."""
        return {
            **activity_count.get_actions(),
            **portal.get_actions(),
            **resource_files.get_actions(),
            **usage.get_actions(),
            **request_actions.get_actions(),
            **usecase_actions.get_actions(),
        }

    # ITemplateHelpers

    def get_helpers(self) -> dict:
        """Home-page data, the city's name, the requests a dataset answered and its use cases for the templates."""
        return {**portal.get_helpers(), **request_helpers.get_helpers(), **usecase_helpers.get_helpers()}

    # IBlueprint

    def get_blueprint(self):
        """The data-request pages (``requests/views.py``), the use-case pages (``usecases/views.py``) and the
        usage page /usage with its CSV (``usage/views.py``)."""
        return [request_views.bp, usecase_views.bp, usage_views.bp]

    # INotifier

    def notify_recipient(self, already_notified, recipient_name, recipient_email, subject, body, *args, **kwargs):
        """CKAN's mails over SMTPS when ``ckanext.testbed.mail.ssl`` is on (CKAN's mailer cannot); otherwise
        CKAN sends them itself (``requests/mail.py``)."""
        return request_mail.notify_recipient(
            already_notified, recipient_name, recipient_email, subject, body, *args, **kwargs
        )

    # IClick

    def get_commands(self) -> list:
        """``ckan testbed purge-orphan-files``: uploads left by datasets purged before ``resource_files.py``
        (``cli.py``, ``orphan_files.py``)."""
        return cli.get_commands()
