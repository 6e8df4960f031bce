"""The tooling's commands of ``waakhond``: one module per command or command group, each with
a typer ``app``, registered in ``waakhond_cli.main.COMMANDS``."""
