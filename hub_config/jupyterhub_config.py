"""JupyterHub config of the Open Data Testbed: load the stack config, apply the update_* functions.

Started by supervisord with TESTBED_STACK pointing at the effective stack config written by
./testbed up. Drop-in overrides go in <state>/hub/jupyterhub_config.d/*.py (loaded last).
"""

import os

from ckan_seed.trainees import ensure_trainee, set_trainee_active
from hub_config.configurer import update_all
from testbed_config import load_config
from testbed_config.layout import Layout

c = get_config()  # noqa: F821 (provided by JupyterHub)
cfg = load_config(os.environ["TESTBED_STACK"])
# the spawn hook's CKAN provisioning and the account page's CKAN blocking, wired here
update_all(c, cfg, ensure_trainee=ensure_trainee, set_trainee_active=set_trainee_active)

for extra in sorted((Layout(cfg).hub_dir / "jupyterhub_config.d").glob("*.py")):
    exec(compile(extra.read_text(encoding="utf-8"), str(extra), "exec"))  # operator overrides
