"""The ``strokebot`` command line.

Each command is a thin click wrapper around one library function; commands are imported only when
run, so ``strokebot --help`` and a trace never import torch. Errors a user can cause print one line
on stderr and exit with the code :mod:`strokebot.errors` documents.

Plugins add commands through the ``strokebot.commands`` entry-point group (name: the command,
value: ``module:click_command``), loaded only when listed or run, as vpype plugins add theirs. A
plugin that fails to load shows as a broken command whose help holds the error, and the rest of the
tool works; a built-in command of the same name always wins.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
import traceback

import click

from strokebot import __version__
from strokebot.errors import EXIT_BUG, EXIT_INTERRUPTED, StrokebotError, UsageError

__all__ = ["main", "cli", "COMMANDS", "COMMAND_GROUP", "PLUGIN_COMMANDS", "plugin_commands"]

#: Command name -> "module:attribute", imported on demand.
COMMANDS = {
    "trace": "strokebot.cli.trace:trace",
    "verify": "strokebot.cli.verify:verify",
    "train": "strokebot.cli.train:train",
    "evaluate": "strokebot.cli.train:evaluate",
    "formats": "strokebot.cli.export:formats",
    "profiles": "strokebot.cli.export:profiles",
}

#: Entry-point group through which plugins add commands.
COMMAND_GROUP = "strokebot.commands"

#: Commands of strokebot's own plugin packages: run without the package, they say what to install.
PLUGIN_COMMANDS = {"simulate": "strokebot-arm", "robots": "strokebot-arm"}


class PluginError(StrokebotError):
    """A plugin's command that fails to load: a bug in the plugin, reported in one line."""

    exit_code = EXIT_BUG


def plugin_commands() -> dict[str, importlib.metadata.EntryPoint]:
    """Commands registered by installed plugins, by name (built-in names excluded), not yet imported."""
    found: dict[str, importlib.metadata.EntryPoint] = {}
    for entry in importlib.metadata.entry_points(group=COMMAND_GROUP):
        if entry.name not in COMMANDS:
            found.setdefault(entry.name, entry)
    return found


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
        return sorted(set(COMMANDS) | set(plugin_commands()))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return _plugin_command(name)
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


def _plugin_command(name: str) -> click.Command | None:
    """The plugin command ``name``; a stand-in that explains when it is broken or its plugin is not installed."""
    entry = plugin_commands().get(name)
    if entry is None:
        package = PLUGIN_COMMANDS.get(name)
        if package is None:
            return None

        def missing() -> None:
            raise UsageError(f"'strokebot {name}' comes with the {package} plugin, which is not installed: "
                             f"pip install {package} (from a strokebot checkout: pip install -e plugins/{package})")

        return click.Command(name, callback=missing, help=f"(needs the {package} plugin)", short_help=f"(needs {package})",
                             context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
    origin = entry.dist.name if entry.dist else entry.value
    try:
        command = entry.load()
        if not isinstance(command, click.Command):
            raise TypeError(f"{entry.value} is a {type(command).__name__}, not a click command")
        return command
    except Exception as error:  # a plugin may fail in any way; it must not take the tool down
        details = "".join(traceback.format_exception(error)).rstrip()
        reason = f"{type(error).__name__}: {error}"

        def run() -> None:
            raise PluginError(f"command {name!r} from {origin} is broken: {reason}")

        return click.Command(name, callback=run, short_help=f"(broken: {reason})",
                             help=f"(broken: the plugin {origin} failed to load)\n\n\b\n{details}",
                             context_settings={"ignore_unknown_options": True, "allow_extra_args": True})


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
