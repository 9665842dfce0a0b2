"""DataStore loader for uploaded CSV/TSV/XLSX files that keeps Japanese column names.

The pure modules (``decode``, ``headers``, ``tabular``, ``xlsx``, ``infer``, ``prepare``,
``messages``) import nothing from CKAN so they can be unit-tested anywhere; the rest
(``plugin``, ``triggers``, ``jobs``, ``writer``, ``status``, ``actions``) talk to CKAN.
"""
