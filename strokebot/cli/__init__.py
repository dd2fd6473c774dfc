"""The ``strokebot`` command line.

Each command is a thin click wrapper around one library function; commands are imported only when
run, so ``strokebot --help`` and a trace never import torch. Errors a user can cause print one line
on stderr and exit with the code :mod:`strokebot.errors` documents.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from strokebot import __version__
from strokebot.errors import EXIT_BUG, EXIT_INTERRUPTED, StrokebotError

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
        import warnings

        shown, warnings.showwarning = warnings.showwarning, _one_line_warning
        try:
            super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            code = 0
        except click.exceptions.Exit as stop:
            code = stop.exit_code
        except click.ClickException as error:
            click.echo(f"strokebot: error: {_line(error.format_message())}", err=True)
            code = error.exit_code
        except StrokebotError as error:
            click.echo(f"strokebot: error: {_line(str(error))}", err=True)
            code = error.exit_code
        except (click.Abort, KeyboardInterrupt):
            click.echo("strokebot: interrupted", err=True)
            code = EXIT_INTERRUPTED
        except BrokenPipeError:
            raise
        except OSError as error:  # a path the system refused where nothing checked it first: bad input
            if error.filename is None:
                code = _internal_error(error)
            else:
                from strokebot.paths import reason

                click.echo(f"strokebot: error: {_line(str(error.filename))}: {reason(error)}", err=True)
                code = 2
        except Exception as error:  # a bug: still one line for a script to log, and its own exit code
            code = _internal_error(error)
        finally:
            warnings.showwarning = shown
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


def _internal_error(error: Exception) -> int:
    """Report a bug in one line and give its exit code; with STROKEBOT_DEBUG set, raise it instead."""
    if os.environ.get("STROKEBOT_DEBUG", "") not in ("", "0"):
        raise error
    click.echo(
        f"strokebot: internal error: {type(error).__name__}: {_line(str(error))} "
        "(a bug in strokebot or a plugin; STROKEBOT_DEBUG=1 shows the traceback)",
        err=True,
    )
    return EXIT_BUG


def _line(text: str) -> str:
    """``text`` on one line (a message quoting a library's may hold line breaks)."""
    return " ".join(text.split())


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:  # type: ignore[no-untyped-def]
    """A warning from any library as one line, like strokebot's errors, not Python's two."""
    click.echo(f"strokebot: warning: {_line(str(message))} ({category.__name__} in {os.path.basename(filename)})", err=True)


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
    _stop_on_sigterm()
    try:
        cli.main(args=argv, prog_name="strokebot")
    except BrokenPipeError:  # e.g. `strokebot trace x.png -o - | head`
        sys.exit(1)


def _stop_on_sigterm() -> None:
    """Let SIGTERM (a supervisor or a robot script stopping the job) stop a run the way Ctrl-C does.

    By default SIGTERM ends Python at once, leaving ``.part`` files behind; as an interrupt it
    removes them and reports how far the run got.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
