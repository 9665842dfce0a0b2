"""Data requests (データ公開の要望): requesters ask for data, departments and coordinators answer.

Registered by the ``testbed`` plugin (``plugin.py``: ``# IActions``, ``# IAuthFunctions``); tables from the
plugin's alembic migration (``ckan db upgrade -p testbed``). See README.md in this folder.
"""
