"""JupyterHub configuration of the testbed: pure ``update_*`` functions, spawner, authenticator."""
