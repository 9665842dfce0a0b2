"""The loader's settings, read once from CKAN's config (declared in config_declaration.yaml)."""

from __future__ import annotations

from dataclasses import dataclass

from ckan.plugins import toolkit

from .prepare import canonical_format
from .xlsx import xlsx_available


@dataclass(frozen=True)
class LoaderSettings:
    """Typed view of the ``ckanext.testbed.loader.*`` options."""

    formats: frozenset[str]
    max_file_bytes: int
    max_rows: int
    job_timeout: int
    queue: str


def load_settings() -> LoaderSettings:
    """Read the declared options; unknown formats (and xlsx without openpyxl) are dropped."""
    config = toolkit.config
    formats = {canonical_format(name) for name in config.get("ckanext.testbed.loader.formats")}
    if not xlsx_available():
        formats.discard("xlsx")
    formats.discard(None)
    return LoaderSettings(
        formats=frozenset(formats),
        max_file_bytes=config.get("ckanext.testbed.loader.max_file_size_mb") * 1024 * 1024,
        max_rows=config.get("ckanext.testbed.loader.max_rows"),
        job_timeout=config.get("ckanext.testbed.loader.job_timeout"),
        queue=config.get("ckanext.testbed.loader.queue"),
    )
