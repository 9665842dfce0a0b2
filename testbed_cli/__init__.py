"""The `testbed` command: installs, starts, stops and checks the local stack."""
