"""``testbed_i18n``: Japanese for what CKAN's ``ja`` catalogue leaves in English (or words unnaturally).

CKAN merges every ``ITranslation`` plugin's catalogue over its own (Flask-Babel loads CKAN's, then each
plugin's, later entries winning), so an entry here replaces CKAN's for the same msgid. The same entries
reach CKAN's JavaScript modules through the per-language JSON CKAN builds from the .po files under
``<storage>/i18n/js``; gunicorn never builds it (only ``ckan run`` does), so this plugin builds it at start.

A few of CKAN's templates print English without gettext; ``templates/`` overrides just those blocks
(activity type names, the changes page's title, the sysadmin page's placeholder, the error page);
``page.html`` adds ``assets/select2_ja.js``, select2's own messages in Japanese.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any

import ckan.plugins as p
from ckan.lib import i18n as ckan_i18n

from . import catalogue

log = logging.getLogger(__name__)


class TestbedI18nPlugin(p.SingletonPlugin):
    """Extra Japanese translations for CKAN's templates, views and JavaScript modules."""

    p.implements(p.ITranslation)
    p.implements(p.IConfigurer)
    p.implements(p.IConfigurable)

    _directory: str | None = None

    def _built(self) -> str:
        """The compiled catalogue directory (built once per process)."""
        if self._directory is None:
            storage = p.toolkit.config.get("ckan.storage_path")
            base = Path(storage) if storage else Path(tempfile.gettempdir())
            target = base / "i18n" / "testbed"
            try:
                catalogue.build(target)
            except OSError as e:  # e.g. a file left by another account: use a private copy instead
                log.warning("testbed_i18n: cannot write %s (%s); using a temporary directory", target, e)
                target = catalogue.build(Path(tempfile.mkdtemp(prefix="testbed-i18n-")))
            type(self)._directory = str(target)
        return self._directory

    # ITranslation

    def i18n_directory(self) -> str:
        return self._built()

    def i18n_locales(self) -> list[str]:
        return catalogue.locales()

    def i18n_domain(self) -> str:
        return catalogue.DOMAIN

    # IConfigurer

    def update_config(self, config: Any) -> None:
        p.toolkit.add_template_directory(config, "templates")
        p.toolkit.add_resource("assets", "testbed_i18n")  # select2's messages in Japanese (page.html)

    # IConfigurable

    def configure(self, config: Any) -> None:
        """Compile the catalogues and (re)build CKAN's JavaScript translations from CKAN's and ours."""
        self._built()
        try:
            ckan_i18n.build_js_translations()
        except OSError as e:
            log.warning("testbed_i18n: cannot build the JavaScript translations: %s", e)
