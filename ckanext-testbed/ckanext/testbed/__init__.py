"""Open Data Testbed CKAN extension: Solr-free search and Japanese-friendly helpers."""
