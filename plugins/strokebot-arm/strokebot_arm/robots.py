"""Robot profiles: an arm (kinematics, limits, shapes) and where and how it draws, read from TOML.

Profiles come from the bundled ``robots.toml``, then ``~/.config/strokebot/robots.toml``, then the
files in ``$STROKEBOT_ROBOTS``, then an explicit file; a later profile of the same name wins and a
profile may ``extends`` another. ``[arm.NAME]`` tables describe arms, the other tables robots
(an arm plus its drawing plane, pen and speeds). Units: metres, degrees, seconds.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import math
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from strokebot.errors import UsageError
from strokebot_arm.kinematics import DH

__all__ = ["Arm", "Robot", "load_robots", "get_robot", "robot_paths", "ENV_ROBOTS", "PEN_CONTROLS"]

ENV_ROBOTS = "STROKEBOT_ROBOTS"
PEN_CONTROLS = ("tool-move", "digital-output")


@dataclasses.dataclass(frozen=True)
class Arm:
    """A six-joint arm: standard DH parameters and limits (radians) and what its simulation is built from."""

    name: str
    description: str
    dh: DH
    joint_names: tuple[str, ...]
    position_limits: np.ndarray  # (6,) rad, symmetric: -limit..limit
    speed_limits: np.ndarray  # (6,) rad/s
    acceleration_limits: np.ndarray  # (6,) rad/s²
    torque_limits: np.ndarray  # (6,) N m
    masses: np.ndarray  # (6,) kg
    centres_of_mass: np.ndarray  # (6, 3) m, each in its link's DH frame
    link_radii: np.ndarray  # (6,) m
    base_radius: float
    base_height: float
    servo_kp: np.ndarray
    servo_kv: np.ndarray
    armature: np.ndarray


@dataclasses.dataclass(frozen=True)
class Robot:
    """An arm set up to draw: where the paper is, the pen, the speeds. See ``robots.toml`` for each field."""

    name: str
    source: str
    description: str
    arm: Arm
    origin: np.ndarray  # (3,) m, the page centre in the base frame
    x_axis: np.ndarray  # (3,) unit
    normal: np.ndarray  # (3,) unit, paper towards pen
    pen_length: float
    pen_travel: float
    press: float
    pen_up: float
    pen_control: str
    output: int
    lift: float
    dwell_down: float
    dwell_up: float
    speed: float
    acceleration: float
    travel_speed: float
    travel_acceleration: float
    joint_speed: float
    home: np.ndarray  # (6,) rad
    blend: float
    table: dict[str, Any] = dataclasses.field(repr=False, default_factory=dict)

    @property
    def y_axis(self) -> np.ndarray:
        """The page's y direction (down the page, as in an image) on the plane."""
        return -np.cross(self.normal, self.x_axis)

    def to_plane(self, xy_mm: np.ndarray, height: float = 0.0) -> np.ndarray:
        """Points (N, 2) in page millimetres relative to the page centre -> (N, 3) metres in the base frame,
        ``height`` metres above the paper (negative: pressed into it)."""
        xy = np.asarray(xy_mm, dtype=np.float64) / 1000.0
        return self.origin + xy[:, :1] * self.x_axis + xy[:, 1:2] * self.y_axis + height * self.normal

    def tool_rotation(self) -> np.ndarray:
        """(3, 3) orientation of the pen tool while drawing: z into the paper, x along the page's x."""
        z = -self.normal
        x = self.x_axis
        return np.stack([x, np.cross(z, x), z], axis=1)

    def to_toml(self) -> str:
        """The profile as TOML, to copy into a robots file and adapt."""
        lines = [f"[{self.name}]"]
        for key, value in self.table.items():
            if key != "extends":
                lines.append(f"{key} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def robot_paths() -> list[Path]:
    """User robot files: ``$XDG_CONFIG_HOME/strokebot/robots.toml`` if it exists, then ``$STROKEBOT_ROBOTS``."""
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "strokebot" / "robots.toml"
    paths = [config] if config.is_file() else []
    return paths + [Path(p) for p in os.environ.get(ENV_ROBOTS, "").split(os.pathsep) if p]


_ARM_FIELDS = {
    "description": str, "dh_a": 6, "dh_d": 6, "dh_alpha": 6, "joint_names": 6, "position_limits": 6,
    "speed_limits": 6, "acceleration_limits": 6, "torque_limits": 6, "masses": 6, "centres_of_mass": (6, 3),
    "link_radii": 6, "base_radius": float, "base_height": float, "servo_kp": 6, "servo_kv": 6, "armature": 6,
}
_ROBOT_FIELDS = {
    "description": str, "arm": str, "extends": str, "origin": 3, "x_axis": 3, "normal": 3, "pen_length": float,
    "pen_travel": float, "press": float, "pen_up": float, "pen_control": str, "output": int, "lift": float,
    "dwell_down": float, "dwell_up": float, "speed": float, "acceleration": float, "travel_speed": float,
    "travel_acceleration": float, "joint_speed": float, "home": 6, "blend": float,
}
_ROBOT_DEFAULTS = {"output": 0, "lift": 0.0, "dwell_down": 0.0, "dwell_up": 0.0, "blend": 0.0005, "description": ""}


def _check(where: str, table: Mapping[str, Any], fields: Mapping[str, Any]) -> None:
    for key, value in table.items():
        if key not in fields:
            raise UsageError(f"{where}: unknown field {key!r} (known fields: {', '.join(sorted(fields))})")
        kind = fields[key]
        if kind is str and not isinstance(value, str):
            raise UsageError(f"{where}: {key} must be a string, got {value!r}")
        if kind is int and (isinstance(value, bool) or not isinstance(value, int)):
            raise UsageError(f"{where}: {key} must be a whole number, got {value!r}")
        if kind is float and (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)):
            raise UsageError(f"{where}: {key} must be a number, got {value!r}")
        if isinstance(kind, int) and not isinstance(kind, bool) and kind is not int:
            ok = isinstance(value, list) and len(value) == kind
            if key == "joint_names":
                ok = ok and all(isinstance(v, str) for v in value)
            else:
                ok = ok and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
            if not ok:
                raise UsageError(f"{where}: {key} must be a list of {kind} {'names' if key == 'joint_names' else 'numbers'}, got {value!r}")
        if isinstance(kind, tuple):
            rows, cols = kind
            if not (isinstance(value, list) and len(value) == rows and all(isinstance(r, list) and len(r) == cols for r in value)):
                raise UsageError(f"{where}: {key} must be {rows} lists of {cols} numbers")


def _arm(name: str, table: Mapping[str, Any], source: str) -> Arm:
    where = f"arm {name!r} ({source})"
    _check(where, table, _ARM_FIELDS)
    missing = sorted(set(_ARM_FIELDS) - set(table) - {"description"})
    if missing:
        raise UsageError(f"{where}: missing {', '.join(missing)}")
    rad = np.radians
    arm = Arm(
        name=name, description=table.get("description", ""),
        dh=DH(a=tuple(table["dh_a"]), d=tuple(table["dh_d"]), alpha=tuple(rad(table["dh_alpha"]).tolist())),
        joint_names=tuple(table["joint_names"]),
        position_limits=rad(np.array(table["position_limits"], float)),
        speed_limits=rad(np.array(table["speed_limits"], float)),
        acceleration_limits=rad(np.array(table["acceleration_limits"], float)),
        torque_limits=np.array(table["torque_limits"], float), masses=np.array(table["masses"], float),
        centres_of_mass=np.array(table["centres_of_mass"], float), link_radii=np.array(table["link_radii"], float),
        base_radius=float(table["base_radius"]), base_height=float(table["base_height"]),
        servo_kp=np.array(table["servo_kp"], float), servo_kv=np.array(table["servo_kv"], float),
        armature=np.array(table["armature"], float),
    )
    for key in ("position_limits", "speed_limits", "acceleration_limits", "torque_limits", "masses", "servo_kp", "armature"):
        if not (getattr(arm, key) > 0).all():
            raise UsageError(f"{where}: every value of {key} must be positive")
    return arm


def _unit(where: str, key: str, value: Any) -> np.ndarray:
    vector = np.array(value, float)
    length = np.linalg.norm(vector)
    if not length > 0:
        raise UsageError(f"{where}: {key} must not be zero")
    return vector / length


def _robot(name: str, table: Mapping[str, Any], arms: Mapping[str, Arm], source: str) -> Robot:
    where = f"robot {name!r} ({source})"
    _check(where, table, _ROBOT_FIELDS)
    values = {**_ROBOT_DEFAULTS, **table}
    missing = sorted(set(_ROBOT_FIELDS) - set(values) - {"extends"})
    if missing:
        raise UsageError(f"{where}: missing {', '.join(missing)}")
    if values["arm"] not in arms:
        raise UsageError(f"{where}: unknown arm {values['arm']!r} (known arms: {', '.join(sorted(arms))})")
    if values["pen_control"] not in PEN_CONTROLS:
        raise UsageError(f"{where}: pen_control must be one of {', '.join(PEN_CONTROLS)}, got {values['pen_control']!r}")
    x_axis, normal = _unit(where, "x_axis", values["x_axis"]), _unit(where, "normal", values["normal"])
    if abs(float(x_axis @ normal)) > 1e-6:
        raise UsageError(f"{where}: x_axis must lie in the paper's plane (at right angles to normal)")
    for key in ("pen_length", "speed", "acceleration", "travel_speed", "travel_acceleration", "joint_speed"):
        if not values[key] > 0:
            raise UsageError(f"{where}: {key} must be positive, got {values[key]!r}")
    for key in ("pen_travel", "press", "pen_up", "lift", "dwell_down", "dwell_up", "blend"):
        if values[key] < 0:
            raise UsageError(f"{where}: {key} must not be negative, got {values[key]!r}")
    if values["press"] >= values["pen_travel"] > 0 or (values["pen_travel"] == 0 and values["press"] > 0):
        raise UsageError(f"{where}: press ({values['press']} m) must be less than the pen holder's travel ({values['pen_travel']} m)")
    if values["joint_speed"] > 1:
        raise UsageError(f"{where}: joint_speed is a share of the joint limits, at most 1, got {values['joint_speed']!r}")
    if values["pen_control"] == "tool-move" and not values["pen_up"] > 0:
        raise UsageError(f"{where}: with pen_control = \"tool-move\", pen_up must be above the paper")
    if values["pen_control"] == "digital-output" and not values["lift"] > 0:
        raise UsageError(f"{where}: with pen_control = \"digital-output\", the lifter's lift must be positive")
    return Robot(
        name=name, source=source, description=values["description"], arm=arms[values["arm"]],
        origin=np.array(values["origin"], float), x_axis=x_axis, normal=normal,
        pen_length=float(values["pen_length"]), pen_travel=float(values["pen_travel"]), press=float(values["press"]),
        pen_up=float(values["pen_up"]), pen_control=values["pen_control"], output=int(values["output"]),
        lift=float(values["lift"]), dwell_down=float(values["dwell_down"]), dwell_up=float(values["dwell_up"]),
        speed=float(values["speed"]), acceleration=float(values["acceleration"]),
        travel_speed=float(values["travel_speed"]), travel_acceleration=float(values["travel_acceleration"]),
        joint_speed=float(values["joint_speed"]), home=np.radians(np.array(values["home"], float)),
        blend=float(values["blend"]), table=dict(table),
    )


def load_robots(robots_file: str | Path | None = None) -> dict[str, Robot]:
    """Every robot profile by name: bundled, then the user's (:func:`robot_paths`), then ``robots_file``.

    Raises:
        UsageError: a named file that is missing or not valid TOML, or a profile that is not valid.
    """
    bundled = importlib.resources.files("strokebot_arm").joinpath("robots.toml").read_text("utf-8")
    sources = [("bundled", bundled)]
    for path in robot_paths() + ([Path(robots_file)] if robots_file is not None else []):
        try:
            sources.append((str(path), path.read_text("utf-8")))
        except OSError as error:
            raise UsageError(f"cannot read robots file {path} ({error.strerror or error})") from None
    arms: dict[str, Arm] = {}
    raw: dict[str, dict[str, Any]] = {}
    robots: dict[str, Robot] = {}
    for source, text in sources:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise UsageError(f"robots file {source} is not valid TOML: {error}") from None
        for name, table in data.get("arm", {}).items():
            arms[name] = _arm(name, table, source)
        for name, table in data.items():
            if name == "arm" or not isinstance(table, dict):
                continue
            parent = table.get("extends")
            if parent is not None and parent not in raw:
                raise UsageError(f"robot {name!r} ({source}) extends unknown robot {parent!r}")
            merged = {**(raw[parent] if parent else {}), **{k: v for k, v in table.items() if k != "extends"}}
            raw[name] = merged
            robots[name] = _robot(name, merged, arms, source)
    return robots


def get_robot(robot: str | Robot, robots_file: str | Path | None = None) -> Robot:
    """The robot profile ``robot`` (a name, or a :class:`Robot` passed through).

    Raises:
        UsageError: no such profile (the message lists the known ones), or an invalid profile.
    """
    if isinstance(robot, Robot):
        return robot
    robots = load_robots(robots_file)
    if robot not in robots:
        raise UsageError(f"unknown robot {robot!r} (known robots: {', '.join(sorted(robots))})")
    return robots[robot]
