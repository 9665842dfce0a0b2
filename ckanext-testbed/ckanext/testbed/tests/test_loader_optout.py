"""Unit tests of ckanext.testbed.loader.optout: the per-resource ``datastore_load`` opt-out."""

from __future__ import annotations

import pytest
from ckanext.testbed.loader.optout import opted_out, wants_load_on_update

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("value", ["false", "False", " FALSE ", False, "no", "No", "0", 0, "off"])
def test_does_a_false_like_datastore_load_opt_out(value):
    """Do "false", False, "no", "0" (any case, spaces around) all mean "never load automatically"?"""
    assert opted_out({"format": "CSV", "datastore_load": value})


@pytest.mark.parametrize("value", [None, "", "true", True, "yes", "1", "falsch"])
def test_does_anything_else_keep_automatic_loads(value):
    """Do a missing, empty, true-like or unknown datastore_load leave automatic loads on?"""
    assert not opted_out({"format": "CSV", "datastore_load": value})
    assert not opted_out({"format": "CSV"})


def test_does_a_format_change_of_an_opted_out_resource_queue_nothing():
    """Is a format newly set to CSV ignored when the updated resource still opts out?"""
    current = {"format": "TXT", "datastore_load": "false"}
    assert not wants_load_on_update(current, {**current, "format": "CSV"}, format_changed=True)


def test_does_a_format_change_queue_a_load_without_opt_out():
    """Is a format change still a reason to load when the resource does not opt out?"""
    assert wants_load_on_update({"format": "TXT"}, {"format": "CSV"}, format_changed=True)


@pytest.mark.parametrize("lifted", [{}, {"datastore_load": ""}, {"datastore_load": "true"}])
def test_does_lifting_the_opt_out_queue_a_load(lifted):
    """Does removing the opt-out (or setting it to true) queue a load, as a new upload would?"""
    assert wants_load_on_update({"format": "CSV", "datastore_load": "false"}, {"format": "CSV", **lifted}, False)


def test_does_an_unrelated_edit_queue_nothing():
    """Does editing e.g. the description, with the same format and opt-out unchanged, queue no load?"""
    assert not wants_load_on_update({"format": "CSV"}, {"format": "CSV", "description": "x"}, False)
    opted = {"format": "CSV", "datastore_load": "false"}
    assert not wants_load_on_update(opted, {**opted, "description": "x"}, False)
