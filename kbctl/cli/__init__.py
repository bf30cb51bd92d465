"""The command-line interface: Typer commands that parse options and call the core."""
