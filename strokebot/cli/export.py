"""``strokebot formats`` and ``strokebot profiles``: what the exporters and machine profiles offer."""

from __future__ import annotations

from pathlib import Path

import click

from strokebot.cli.types import PATH
from strokebot.errors import UsageError

FORMATS_EPILOG = """\b
Examples:
  strokebot formats                 # every format, with its file suffix
  strokebot formats gcode           # the options of one format
  strokebot trace word.png --to svg -O layers=pen -O pen_width=0.3mm
"""

PROFILES_EPILOG = """\b
Examples:
  strokebot profiles                         # every profile, bundled and yours
  strokebot profiles grbl-z                  # one profile as TOML, to copy and adapt
  strokebot profiles grbl-z > ~/.config/strokebot/profiles.toml
  strokebot trace word.png --profile grbl-z -O z_full=-0.6 -O feed=1200
"""


@click.command(epilog=FORMATS_EPILOG)
@click.argument("name", required=False)
def formats(name: str | None) -> None:
    """List the output formats for `trace --to`, or show the options of format NAME.

    Formats come from installed exporters, strokebot's own and third-party ones alike; one that fails
    to load is listed as broken, with the reason, and the others still work.
    """
    from strokebot.exporters import available, get_exporter

    if name is not None:
        exporter = get_exporter(name)
        click.echo(f"{name} ({getattr(exporter, 'suffix', '')}): {getattr(exporter, 'description', '')}")
        options = getattr(exporter, "options", {})
        if options:
            click.echo("options (-O KEY=VALUE):")
            for key, text in options.items():
                click.echo(f"  {key:<20} {text}")
        more = getattr(exporter, "more_options", "")
        if more:
            click.echo(f"  {more}")
        return
    infos = available()
    width = max((len(i.name) for i in infos), default=0)
    suffix_width = max((len(i.suffix) for i in infos), default=0)
    for info in infos:
        if info.error is not None:
            origin = info.distribution or info.value
            click.echo(f"{info.name:<{width}}  {'':<{suffix_width}}  BROKEN ({origin}): {info.error}")
        else:
            click.echo(f"{info.name:<{width}}  {info.suffix:<{suffix_width}}  {info.description}")


@click.command(epilog=PROFILES_EPILOG)
@click.argument("name", required=False)
@click.option("--file", "profiles_file", type=PATH, help="A TOML file of extra profiles.")
def profiles(name: str | None, profiles_file: Path | None) -> None:
    """List the G-code machine profiles, or show profile NAME as TOML.

    Profiles come from strokebot's bundled file, then ~/.config/strokebot/profiles.toml, then the
    files in $STROKEBOT_PROFILES, then --file; a later profile of the same name wins. Field names
    follow vpype-gcode, so a [gwrite.NAME] profile pastes in as it is.
    """
    from strokebot.exporters.gcode import get_profile, load_profiles

    if name is not None:
        profile = get_profile(name, profiles_file)
        click.echo(f"# strokebot profile, from {profile.source}")
        click.echo(profile.to_toml(), nl=False)
        return
    found = load_profiles(profiles_file)
    if not found:
        raise UsageError("no profiles found")
    width = max(len(n) for n in found)
    for profile in found.values():
        source = "" if profile.source == "bundled" else f"  [{profile.source}]"
        click.echo(f"{profile.name:<{width}}  {profile.firmware:<8} {profile.description}{source}")
