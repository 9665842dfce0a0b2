"""Japanese strings CKAN's own ``ja`` catalogue lacks or words unnaturally (the ``testbed_i18n`` plugin)."""
