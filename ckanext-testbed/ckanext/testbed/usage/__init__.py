"""How the catalogue is used, day by day: page views and downloads from CKAN's tracking tables.

CKAN's ``tracking`` plugin records each page view and download in ``tracking_raw`` and folds them into
per-URL, per-day totals (``tracking_summary``); package_show shows only the running total and the last two
weeks. This package answers the questions a 利活用の見える化 (usage dashboard) asks, as read-only CKAN
actions that reuse package_show's permission to read a dataset:

- ``testbed_usage_daily``: one dataset's or one organisation's views or downloads per day (Japan time).

Modules: ``schema.py`` (parameters and their Japanese error messages), ``daily.py`` (the query, no CKAN
actions), ``logic.py`` (action and auth functions, wired in by ``plugin.py``). ``daily.py`` is tested without CKAN
(``tests/test_usage_daily.py``), the action in real CKAN (``tests/ckan/test_ckan_usage.py``). See README.md.
"""
