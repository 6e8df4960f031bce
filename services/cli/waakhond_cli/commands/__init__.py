"""The run-time commands of ``waakhond``: one module per command or command group, each
with a typer ``app``. Service imports happen inside the command functions."""
