"""The extension's tables across CKAN's database resets (CKAN's pytest plugin drops every table it finds).

CKAN's first reset in a session drops EVERY table, including the search tables the ``testbed`` plugin
creates in ``IConfigurable.configure``; later resets only empty the tables CKAN's model knows. The
``clean_db`` of ckan/conftest.py brings the search tables back (``reset_catalogue``) and empties them.
"""

from __future__ import annotations

import ckan.model as model
import pytest
import sqlalchemy as sa
from ckan.tests import factories
from ckan.tests.helpers import call_action
from ckanext.testbed.search import statements

pytestmark = [pytest.mark.ckanext, pytest.mark.usefixtures("with_plugins", "clean_db")]

TABLES = (statements.TABLE, statements.GENERATION)


def existing_tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names())


def test_are_the_search_tables_there_and_empty_after_clean_db():
    """After clean_db, do the search table and its generation table exist, with no row of an earlier test?"""
    assert set(TABLES) <= existing_tables()
    assert call_action("package_search", q="*:*")["count"] == 0
    count = model.Session.execute(sa.text(f"SELECT count(*) FROM {statements.TABLE}")).scalar()
    assert count == 0


def test_does_search_work_again_after_ckan_drops_every_table(reset_catalogue):
    """After CKAN drops every table (as its first reset does), does the fixtures' reset make search work again?"""
    factories.Dataset(title="指定避難所一覧")
    model.Session.remove()
    model.repo.clean_db()  # what CKAN's first reset in a session does: drop every table it finds
    assert not set(TABLES) & existing_tables()

    reset_catalogue()
    assert set(TABLES) <= existing_tables()
    assert call_action("package_search", q="避難")["count"] == 0
    again = factories.Dataset(title="避難所の一覧")
    assert [d["id"] for d in call_action("package_search", q="避難")["results"]] == [again["id"]]
