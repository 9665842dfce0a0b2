"""Zero to JupyterHub (Helm) values rendered from the stack config; see README.md."""
