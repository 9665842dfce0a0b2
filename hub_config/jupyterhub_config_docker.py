"""JupyterHub config of the docker-compose hub container: the same update_* functions, DockerSpawner.

Started by ``python -m testbed_cli.container hub`` (the image's command) with TESTBED_STACK pointing
at the stack config rendered by ``./testbed deploy compose``. The surroundings (service names,
images, volumes) come from the container's environment, read once here. Drop-in overrides go in
<state>/hub/jupyterhub_config.d/*.py (loaded last), as on one machine.
"""

import os

from ckan_seed.trainees import ensure_trainee
from hub_config.containers import Site, configure_docker, load_programs, programs_file
from testbed_config import load_config
from testbed_config.layout import Layout

c = get_config()  # noqa: F821 (provided by JupyterHub)
cfg = load_config(os.environ["TESTBED_STACK"])
layout = Layout(cfg)
programs = load_programs(programs_file(layout))
configure_docker(c, cfg, Site.from_env(dict(os.environ)), programs, ensure_trainee=ensure_trainee)

for extra in sorted((layout.hub_dir / "jupyterhub_config.d").glob("*.py")):
    exec(compile(extra.read_text(encoding="utf-8"), str(extra), "exec"))  # operator overrides
