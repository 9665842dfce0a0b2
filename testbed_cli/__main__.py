from testbed_cli.cli import main

main()
