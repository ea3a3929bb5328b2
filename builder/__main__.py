"""Entry point for ``python -m builder``."""

from builder.commands.cli import run

run()
