"""``strokebot simulate`` and ``strokebot robots``: commands strokebot-arm adds to strokebot's command line.

Registered under the ``strokebot.commands`` entry point; strokebot imports this module only to run
or list them, and it imports nothing heavy itself (MuJoCo and toppra load when a command runs).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from strokebot.cli.types import LENGTH
from strokebot.errors import EXIT_BELOW_MIN_IOU, UsageError

__all__ = ["simulate", "robots", "EXIT_OVER_TOLERANCE"]

#: Exit code when the simulated tracking error is over --tolerance: checked, and failed, as verify's 7.
EXIT_OVER_TOLERANCE = EXIT_BELOW_MIN_IOU

SIMULATE_EPILOG = f"""\b
Examples:
  strokebot simulate word.png --robot ur5e-table              # traced, 60 mm wide, 50 mm/s
  strokebot simulate word.png --preview word.sim.png          # the pen's path over the glyph, the arm
  strokebot simulate word.json --speed 80 --tolerance 0.2     # a drawing exported with --to json
  strokebot simulate logo.svg --width 80mm --json | jq .tracking_error_mm
  strokebot trace word.png --to urscript --to joint-trajectory -O robot=ur5e-table

\b
Exit codes: 0 within --tolerance, {EXIT_OVER_TOLERANCE} over it (or a joint over its speed limit),
2 bad input or a drawing the arm cannot draw (out of reach, singular, beyond a joint limit).
"""

ROBOTS_EPILOG = """\b
Examples:
  strokebot robots                          # every robot profile, bundled and yours
  strokebot robots ur5e-table               # one profile as TOML, to copy and adapt
  strokebot robots ur5e-table > ~/.config/strokebot/robots.toml
"""


@click.command(epilog=SIMULATE_EPILOG)
@click.argument("drawing", type=click.Path(path_type=Path))
@click.option("--robot", default="ur5e-table", show_default=True, help="Robot profile (`strokebot robots` lists them).")
@click.option("--robots-file", type=click.Path(path_type=Path), help="A TOML file of more robot profiles.")
@click.option("--speed", type=click.FloatRange(min=0, min_open=True), help="Pen speed along the paper, mm/s (default: the profile's).")
@click.option("--width", type=LENGTH, help="Fit the drawing to this width (an image: 60mm unless given).")
@click.option("--height", type=LENGTH, help="Fit the drawing to this height.")
@click.option("--refine", type=click.IntRange(min=0), default=0, show_default=True, help="An image: fit its strokes with N gradient steps.")
@click.option("--tolerance", type=click.FloatRange(min=0, min_open=True), default=0.5, show_default=True,
              help="Largest tracking error that passes, mm.")
@click.option("--preview", type=click.Path(path_type=Path), help="Write the simulated pen's path over the glyph and a render of the arm (PNG).")
@click.option("--json", "as_json", is_flag=True, help="Print every figure as JSON.")
def simulate(drawing, robot, robots_file, speed, width, height, refine, tolerance, preview, as_json) -> None:
    """Plan DRAWING for a robot arm and replay it in the MuJoCo physics simulator.

    DRAWING is a strokebot JSON trajectory (--to json), an SVG, or an image, traced first. The
    plan (inverse kinematics on one arm posture, retimed within the joint limits) is replayed with
    the arm's position servos; where the pen tip pressed on the paper is compared with the
    strokes. Prints the tracking error (max and RMS, mm), the pen-down time and the fastest joint
    as a share of its speed limit.
    """
    import strokebot_arm
    from strokebot_arm.simulation import simulate as run

    if preview is not None and preview.suffix.lower() != ".png":
        raise UsageError(f"--preview writes a PNG; name it .png, not {preview.name!r}")
    plan = strokebot_arm.plan(drawing, robot, speed=speed, width=width, height=height, refine=refine,
                              robots_file=None if robots_file is None else str(robots_file))
    result = run(plan, tolerance=tolerance)
    missing = None
    if preview is not None:
        glyph = drawing if drawing.suffix.lower() not in (".json", ".svg", ".svgz") else None
        _, missing = result.preview(preview, glyph=glyph)
    if as_json:
        click.echo(json.dumps({"drawing": str(drawing), **result.as_dict()}, indent=2))
    else:
        click.echo(f"{drawing}: {plan.summary()}", err=True)
        click.echo(f"{drawing}: {result.line()}")
    if missing is not None:
        click.echo(f"strokebot: warning: {preview}: without the arm's render: {missing}", err=True)
    if not result.passed:
        share = result.speed_share().max()
        reason = (f"tracking error {result.max_error:.3f} mm is over --tolerance {tolerance:g} mm"
                  if result.max_error > tolerance else f"a joint reached {share:.0%} of its speed limit")
        click.echo(f"strokebot: {reason}", err=True)
        raise SystemExit(EXIT_OVER_TOLERANCE)


@click.command(epilog=ROBOTS_EPILOG)
@click.argument("name", required=False)
@click.option("--robots-file", type=click.Path(path_type=Path), help="A TOML file of more robot profiles.")
def robots(name, robots_file) -> None:
    """List the robot profiles for `simulate --robot` and `-O robot=`, or show profile NAME as TOML.

    Profiles come from strokebot-arm's bundled file, then ~/.config/strokebot/robots.toml, then the
    files in $STROKEBOT_ROBOTS, then --robots-file; a later profile of the same name wins.
    """
    from strokebot_arm.robots import get_robot, load_robots

    if name is not None:
        robot = get_robot(name, robots_file)
        click.echo(f"# strokebot-arm robot profile, from {robot.source}")
        click.echo(robot.to_toml(), nl=False)
        return
    found = load_robots(robots_file)
    width = max(len(n) for n in found)
    for robot in found.values():
        source = "" if robot.source == "bundled" else f"  [{robot.source}]"
        click.echo(f"{robot.name:<{width}}  {robot.arm.name:<8} {robot.description}{source}")
