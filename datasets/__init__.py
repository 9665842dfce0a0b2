"""Sample municipal data for the fictional city of みどり野市 (若葉県).

The package holds the deterministic generator (``python -m datasets.generate``), the official
column layouts of the 自治体標準オープンデータセット, the machine-readability rule catalogue with
its detectors, and the manifest loader. The generated files live next to the code.
"""
