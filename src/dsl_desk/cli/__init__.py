"""The command line: `dsl-desk <command>`; `main` is the entry point."""

from dsl_desk.cli.commands import main

__all__ = ["main"]
