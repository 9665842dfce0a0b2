"""Use cases (利活用事例): apps, maps, reports and internal analyses made with the catalogue's datasets.

Registered by the ``testbed`` plugin (``plugin.py``: ``# IActions``, ``# IAuthFunctions``, ``# IBlueprint``);
tables from the plugin's alembic migration (``ckan db upgrade -p testbed``). See README.md in this folder.
"""
