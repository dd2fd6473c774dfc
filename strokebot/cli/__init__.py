"""The ``strokebot`` command line.

Each command is a thin click wrapper around one library function; commands are imported only when
run, so ``strokebot --help`` and a trace never import torch. Errors a user can cause print one line
on stderr and exit with the code :mod:`strokebot.errors` documents.
"""

from __future__ import annotations

import importlib
import sys

import click

from strokebot import __version__
from strokebot.errors import EXIT_INTERRUPTED, StrokebotError

__all__ = ["main", "cli"]

#: Command name -> "module:attribute", imported on demand.
COMMANDS = {
    "trace": "strokebot.cli.trace:trace",
    "verify": "strokebot.cli.verify:verify",
    "train": "strokebot.cli.train:train",
    "evaluate": "strokebot.cli.train:evaluate",
    "formats": "strokebot.cli.export:formats",
    "profiles": "strokebot.cli.export:profiles",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported when used, and whose errors are one line each."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):  # type: ignore[override]
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = 0
        except click.exceptions.Exit as stop:
            code = stop.exit_code
        except click.ClickException as error:
            click.echo(f"strokebot: error: {error.format_message()}", err=True)
            code = error.exit_code
        except StrokebotError as error:
            click.echo(f"strokebot: error: {error}", err=True)
            code = error.exit_code
        except (click.Abort, KeyboardInterrupt):
            click.echo("strokebot: interrupted", err=True)
            code = EXIT_INTERRUPTED
        sys.exit(code)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        try:
            return getattr(importlib.import_module(module), attribute)
        except (ImportError, AttributeError) as error:
            return _broken(name, error)


def _broken(name: str, error: Exception) -> click.Command:
    def run() -> None:
        raise StrokebotError(f"command {name!r} is unavailable: {error}")

    return click.Command(name, callback=run, help=f"(unavailable: {error})", short_help="(unavailable)")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="strokebot")
def cli() -> None:
    """Turn pictures of glyphs into strokes a pen plotter or robot arm can draw.

    \b
    Examples:
      strokebot trace samples/word-photo.jpg --to gcode --width 60mm
      strokebot trace digits/ --to svg --to png -o out/
      strokebot formats
    """


def main(argv: list[str] | None = None) -> None:
    """Run the command line; never lets a user's mistake end in a traceback."""
    try:
        cli.main(args=argv, prog_name="strokebot")
    except BrokenPipeError:  # e.g. `strokebot trace x.png -o - | head`
        sys.exit(1)
