"""Solr-free dataset search for CKAN 2.12, served from a PostgreSQL table.

Pure modules (no CKAN imports, unit-tested without CKAN): ``normalize`` (text folding),
``syntax`` (Solr/Lucene query parser), ``datemath`` (Solr date values), ``fields``
(index field → SQL), ``compiler`` (q/fq/sort → WHERE, relevance, sort keys),
``statements`` (complete SQL) and ``document`` (index document → table row).

CKAN-facing modules: ``schema`` (creates the table at start-up), ``index`` (writes),
``query`` (reads) and ``patches`` (the one place that swaps CKAN's Solr internals).
"""
