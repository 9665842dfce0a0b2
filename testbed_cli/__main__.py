from testbed_cli.cli import main

main(prog_name="./testbed")  # the bootstrap script runs this module: help shows the command people type
