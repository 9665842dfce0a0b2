"""Create the search table in CKAN's database when the plugin starts (idempotent).

Runs from ``IConfigurable.configure`` in every CKAN process (web workers, CLI, jobs).
When the table is current this costs one catalogue lookup; the first process to find
it missing (or of an older layout, see ``statements.SCHEMA_VERSION``) creates it under
an advisory lock, so parallel workers cannot race. The table only holds derived data:
after it is (re)created on a catalogue that has datasets, ``ckan search-index rebuild``
fills it again.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from . import statements

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key: any constant unique to this extension.
_LOCK_KEY = 0x7E57BED


def _is_current(connection: sa.engine.Connection) -> tuple[bool, bool]:
    exists, comment = connection.execute(sa.text(statements.TABLE_STATE)).one()
    return bool(exists), comment == statements.SCHEMA_VERSION


def ensure_table(engine: sa.engine.Engine) -> bool:
    """Create ``testbed_search_index`` if missing or outdated; True if created now."""
    with engine.connect() as connection:
        if _is_current(connection)[1]:
            return False
    with engine.begin() as connection:
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
        exists, current = _is_current(connection)
        if current:
            return False
        if exists:
            log.warning("Replacing the search table %s with layout %r", statements.TABLE, statements.SCHEMA_VERSION)
            connection.execute(sa.text(statements.DROP_TABLE))
        connection.execute(sa.text(statements.CREATE_TABLE))
        connection.execute(sa.text(statements.SET_STORAGE))
        for statement in statements.CREATE_INDEXES + statements.CREATE_GENERATION:
            connection.execute(sa.text(statement))
        connection.execute(sa.text(statements.COMMENT_TABLE))
        has_packages = connection.execute(sa.text("SELECT to_regclass('package') IS NOT NULL")).scalar()
        existing = connection.execute(sa.text("SELECT count(*) FROM package")).scalar() if has_packages else 0
    log.info("Created the search table %s", statements.TABLE)
    if existing:
        log.warning("The search table is empty but %s datasets exist: run `ckan search-index rebuild`", existing)
    return True
