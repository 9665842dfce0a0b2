"""Sub-command groups of `./testbed` (each module exposes one click group, registered in cli.py)."""
