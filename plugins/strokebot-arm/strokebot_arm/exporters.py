"""The ``urscript`` and ``joint-trajectory`` formats: ``strokebot trace word.png --to urscript``.

Registered under ``strokebot.exporters`` like strokebot's own formats. Each plans the drawing for a
robot profile (:func:`strokebot_arm.plan`) and writes the plan; a drawing the arm cannot draw fails
with the planner's one-line error, and nothing is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strokebot.errors import UsageError
from strokebot.exporters import Exporter, number

if TYPE_CHECKING:
    from strokebot.drawing import Drawing
    from strokebot_arm.trajectory import JointTrajectory

__all__ = ["UrscriptExporter", "JointTrajectoryExporter"]

_PLAN_OPTIONS = {
    "robot": "robot profile (default ur5e-table; `strokebot robots` lists them)",
    "speed": "pen speed along the paper in mm/s (default: the profile's, 50)",
    "robots_file": "a TOML file of more robot profiles",
    "dt": "seconds between trajectory points (default 0.008)",
}


def _plan(drawing: Drawing, options: dict[str, Any]) -> JointTrajectory:
    from strokebot_arm.planning import DEFAULT_DT, plan

    robot = options.pop("robot", "ur5e-table")
    if not isinstance(robot, str):
        raise UsageError(f"option robot must be a profile name, got {robot!r}")
    speed = options.pop("speed", None)
    if speed is not None:
        speed = number("speed", speed, positive=True)
    dt = number("dt", options.pop("dt", DEFAULT_DT), positive=True)
    robots_file = options.pop("robots_file", None)
    return plan(drawing, robot, speed=speed, dt=dt, robots_file=None if robots_file is None else str(robots_file))


class UrscriptExporter(Exporter):
    """A URScript program (``def … end``) that draws the drawing on a Universal Robots arm."""

    name = "urscript"
    suffix = ".script"
    description = "URScript program for Universal Robots arms: movej/movel in m, m/s, blends (strokebot-arm)"
    options = {
        **_PLAN_OPTIONS,
        "name": "the program's name (default strokebot_drawing)",
        "blend": "largest blend radius between drawing moves in m (default: the profile's, 0.0005)",
    }

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        self.check_options(options)
        urscript = {key: options.pop(key) for key in ("name", "blend") if key in options}
        if "blend" in urscript:
            urscript["blend"] = number("blend", urscript["blend"], minimum=0.0)
        text = _plan(drawing, options).to_urscript(**urscript)
        assert text is not None
        return text.encode()


class JointTrajectoryExporter(Exporter):
    """A ROS 2 ``trajectory_msgs/JointTrajectory`` as JSON, with units, limits and pen events."""

    name = "joint-trajectory"
    suffix = ".joints.json"
    description = "joint trajectory JSON shaped like ROS 2 trajectory_msgs/JointTrajectory, rad and s (strokebot-arm)"
    options = {**_PLAN_OPTIONS, "decimals": "decimals of positions, velocities and accelerations (default 6)"}

    def export(self, drawing: Drawing, **options: Any) -> bytes:
        self.check_options(options)
        decimals = options.pop("decimals", 6)
        if isinstance(decimals, bool) or not isinstance(decimals, int) or not 3 <= decimals <= 12:
            raise UsageError(f"option decimals must be a whole number from 3 to 12, got {decimals!r}")
        data = _plan(drawing, options).to_json(decimals=decimals)
        assert data is not None
        return data
