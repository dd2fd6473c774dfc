"""G-code machine profiles: machine dialects as data, bundled and the user's own.

A :class:`Profile` is a set of templates, one per event (document start, stroke start, each point,
stroke end, ...), with vpype-gcode's field names, and the settings that place coordinates on the
machine. :func:`load_profiles` reads the bundled ``profiles.toml``, then the user's files
(:func:`user_profile_paths`); :mod:`strokebot.exporters.gcode` fills the templates in.

>>> get_profile("grbl-z").firmware
'grbl'
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import math
import os
import re
import string
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from strokebot.errors import UsageError
from strokebot.paths import read_text
from strokebot.units import UNITS

__all__ = [
    "Profile", "load_profiles", "get_profile", "user_profile_paths", "ENV_PROFILES", "TEMPLATES", "DWELL_UNITS",
    "MACHINE_SETTINGS", "MAX_RATE", "MAX_ACCELERATION",
]

#: Environment variable naming extra profile files (separated like PATH).
ENV_PROFILES = "STROKEBOT_PROFILES"

#: Events in the order they happen, as vpype-gcode names them.
TEMPLATES = (
    "document_start",
    "layer_start",
    "line_start",
    "segment_first",
    "segment",
    "segment_last",
    "line_end",
    "line_join",
    "layer_end",
    "layer_join",
    "document_end",
)
_SETTINGS = {
    "description": str,
    "firmware": str,
    "unit": str,
    "vertical_flip": bool,
    "horizontal_flip": bool,
    "scale_x": (int, float),
    "scale_y": (int, float),
    "offset_x": (int, float),
    "offset_y": (int, float),
    "dwell_unit": str,
    "max_line_length": int,
    "info": str,
    "extends": str,
}
#: The machine's limits a profile names for the plot-time estimate (rates in mm/min, accelerations in
#: mm/s²), each with the GRBL setting that holds it. The firmware has the last word: these say what
#: the estimate in the G-code header assumes, and the header names them so a user can compare.
MACHINE_SETTINGS = {
    "max_rate_x": "$110",
    "max_rate_y": "$111",
    "max_rate_z": "$112",
    "acceleration_x": "$120",
    "acceleration_y": "$121",
    "acceleration_z": "$122",
}
#: The fastest rate (mm/min) and the highest acceleration (mm/s²) a profile or an option may name:
#: 16.7 m/s and 100 g, which no plotter comes near; a larger number is a typo.
MAX_RATE = 1_000_000.0
MAX_ACCELERATION = 1_000_000.0
#: default_values that must be numbers wherever they appear (feeds, pen positions, dwells, power).
NUMERIC_VALUES = ("feed", "travel_feed", "plunge_feed", "z_up", "z_touch", "z_full", "dwell_down", "dwell_up",
                  "pen_up", "pen_down", "s_min", "s_max")
_ALIASES = {"invert_y": "vertical_flip", "invert_x": "horizontal_flip"}  # vpype-gcode's newer names
DWELL_UNITS = {"s": 1.0, "ms": 1000.0}



@dataclasses.dataclass(frozen=True)
class Profile:
    """One machine dialect: templates per event and how coordinates map onto the machine.

    Attributes:
        name: what ``--profile`` takes.
        source: ``"bundled"`` or the file it came from.
        templates: event name (see :data:`TEMPLATES`) to ``str.format`` template.
        default_values: the profile's parameters (feeds, pen positions, dwell...), each also an option.
        firmware: ``grbl``, ``marlin``, ``klipper`` or anything else (for the reader and for linting).
        unit: the unit of machine coordinates (``mm`` unless a machine needs ``in``).
        vertical_flip: y up on the machine: ``y = page_height - y``.
        dwell_unit: ``s`` (GRBL) or ``ms`` (Marlin, Klipper): how ``{dwell_down}``/``{dwell_up}`` are written.
        max_line_length: longest line the firmware takes (GRBL: 79), or None.
        info: a note for the user, written into the header comments.
        max_rate_x, max_rate_y, max_rate_z: top speed of each axis in mm/min (GRBL ``$110``-``$112``),
            for the plot-time estimate; None where the profile does not say (see :data:`MACHINE_SETTINGS`).
        acceleration_x, acceleration_y, acceleration_z: in mm/s² (GRBL ``$120``-``$122``), likewise.
    """

    name: str
    source: str = "bundled"
    description: str = ""
    firmware: str = "generic"
    unit: str = "mm"
    vertical_flip: bool = False
    horizontal_flip: bool = False
    scale_x: float = 1.0
    scale_y: float = 1.0
    offset_x: float = 0.0
    offset_y: float = 0.0
    dwell_unit: str = "s"
    max_line_length: int | None = None
    info: str = ""
    max_rate_x: float | None = None
    max_rate_y: float | None = None
    max_rate_z: float | None = None
    acceleration_x: float | None = None
    acceleration_y: float | None = None
    acceleration_z: float | None = None
    default_values: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    templates: Mapping[str, str] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_table(cls, name: str, table: Mapping[str, Any], *, source: str = "bundled") -> Profile:
        """A profile from its TOML table (``extends`` already resolved).

        Raises:
            UsageError: an unknown field, or a field of the wrong type.
        """
        where = f"profile {name!r} ({source})"
        fields: dict[str, Any] = {}
        templates: dict[str, str] = {}
        for key, value in table.items():
            key = _ALIASES.get(key, key)
            if key in TEMPLATES:
                if not isinstance(value, str):
                    raise UsageError(f"{where}: {key} must be a string")
                templates[key] = value
            elif key == "default_values":
                if not isinstance(value, dict):
                    raise UsageError(f"{where}: default_values must be a table")
                fields[key] = dict(value)
            elif key in MACHINE_SETTINGS:
                fields[key] = _machine_setting(where, key, value)
            elif key in _SETTINGS:
                expected = _SETTINGS[key]
                if not isinstance(value, expected) or (isinstance(value, bool) and expected is not bool):
                    raise UsageError(f"{where}: {key} has the wrong type ({type(value).__name__})")
                if key != "extends":
                    fields[key] = value
            else:
                known = ", ".join(sorted(set(TEMPLATES) | set(_SETTINGS) | set(MACHINE_SETTINGS) | set(_ALIASES)
                                         | {"default_values"}))
                raise UsageError(f"{where}: unknown field {key!r} (known fields: {known})")
        profile = cls(name=name, source=source, templates=templates, **fields)
        if profile.unit not in UNITS:
            raise UsageError(f"{where}: unknown unit {profile.unit!r} (known units: {', '.join(UNITS)})")
        if profile.dwell_unit not in DWELL_UNITS:
            raise UsageError(f"{where}: dwell_unit must be 's' or 'ms', got {profile.dwell_unit!r}")
        for key in ("scale_x", "scale_y", "offset_x", "offset_y"):
            if not math.isfinite(getattr(profile, key)) or (key.startswith("scale") and getattr(profile, key) == 0):
                raise UsageError(f"{where}: {key} must be a finite number{' other than 0' if key.startswith('scale') else ''}, "
                                 f"got {getattr(profile, key)!r}")
        if profile.max_line_length is not None and profile.max_line_length < 1:
            raise UsageError(f"{where}: max_line_length must be a positive number of characters, got {profile.max_line_length}")
        for key in NUMERIC_VALUES:
            value = profile.default_values.get(key)
            if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value)):
                raise UsageError(f"{where}: default_values.{key} must be a number, got {value!r}")
        return profile

    def to_toml(self) -> str:
        """The profile as a TOML table, to copy into a profiles file and adapt."""
        lines = [f"[{_toml_key(self.name)}]"]
        defaults = {f.name: f.default for f in dataclasses.fields(self) if f.default is not dataclasses.MISSING}
        for key in _SETTINGS:
            value = getattr(self, key, None)
            always = ("description", "firmware", "unit", "vertical_flip", "dwell_unit")
            if key == "extends" or value is None or (key not in always and value == defaults.get(key)):
                continue
            lines.append(f"{key} = {_toml_value(value)}")
        machine = [(key, getattr(self, key)) for key in MACHINE_SETTINGS if getattr(self, key) is not None]
        if machine:
            lines.append("# What the plot-time estimate assumes of the machine (mm/min, mm/s²): set them to your")
            lines.append("# firmware's, e.g. GRBL's " + " ".join(f"{MACHINE_SETTINGS[k]}" for k, _ in machine) + " (shown by $$).")
            lines.extend(f"{key} = {_toml_value(value)}" for key, value in machine)
        if self.default_values:
            items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in self.default_values.items())
            lines.append(f"default_values = {{ {items} }}")
        for key in TEMPLATES:
            if key in self.templates:
                text = self.templates[key].replace("\\", "\\\\").replace('"""', '""\\"')
                lines.append(f'{key} = """\n{text}"""')
        return "\n".join(lines) + "\n"

    def placeholders(self) -> set[str]:
        """Every placeholder its templates use (the first name of each field)."""
        used: set[str] = set()
        for template in self.templates.values():
            for _, field, _, _ in string.Formatter().parse(template):
                if field is not None:
                    used.add(re.split(r"[.\[]", field, maxsplit=1)[0])
        return used


def _machine_setting(where: str, key: str, value: Any) -> float:
    unit, top = ("a rate in mm/min", MAX_RATE) if key.startswith("max_rate") else ("an acceleration in mm/s²", MAX_ACCELERATION)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not (math.isfinite(value) and 0 < value <= top):
        raise UsageError(f"{where}: {key} must be {unit} above 0 and at most {top:.0f} (GRBL {MACHINE_SETTINGS[key]}), "
                         f"got {value!r}")
    return float(value)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else '"' + key.replace('"', '\\"') + '"'


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


# -- finding profiles --------------------------------------------------------------------------------


def user_profile_paths() -> list[Path]:
    """Where user profiles are looked for, later ones overriding earlier ones of the same name.

    ``$XDG_CONFIG_HOME/strokebot/profiles.toml`` (``~/.config/...`` by default), used if it exists,
    then each file in ``$STROKEBOT_PROFILES`` (which must exist).
    """
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "strokebot" / "profiles.toml"
    paths = [config] if config.is_file() else []
    paths += [Path(p) for p in os.environ.get(ENV_PROFILES, "").split(os.pathsep) if p]
    return paths


def _read_tables(text: str, source: str) -> dict[str, dict[str, Any]]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(f"profiles file {source} is not valid TOML: {error}") from None
    tables = {k: v for k, v in data.items() if isinstance(v, dict) and k != "gwrite"}
    gwrite = data.get("gwrite", {})  # profiles pasted from a vpype configuration file
    tables.update({k: v for k, v in gwrite.items() if isinstance(v, dict)})
    return tables


def load_profiles(profiles_file: str | Path | None = None) -> dict[str, Profile]:
    """Every known profile by name: bundled, then the user's (:func:`user_profile_paths`), then ``profiles_file``.

    A profile may ``extends = "other"`` to start from another (earlier or in the same file).

    Raises:
        UsageError: a named file that is missing or not valid TOML, or a profile that is not valid.
    """
    bundled = importlib.resources.files("strokebot.exporters").joinpath("profiles.toml").read_text("utf-8")
    sources: list[tuple[str, str]] = [("bundled", bundled)]
    paths = user_profile_paths() + ([Path(profiles_file)] if profiles_file is not None else [])
    for path in paths:
        try:
            sources.append((str(path), read_text(path, what="profiles file")))
        except UsageError as error:  # a pipe, a device, a loop, binary data: "cannot read", and why
            raise UsageError(f"cannot read profiles file {error}") from None
    raw: dict[str, tuple[dict[str, Any], str]] = {}
    profiles: dict[str, Profile] = {}
    for source, text in sources:
        for name, table in _read_tables(text, source).items():
            merged = _resolve(name, table, raw, source)
            raw[name] = (merged, source)
            profiles[name] = Profile.from_table(name, merged, source=source)
    return profiles


def _resolve(name: str, table: dict[str, Any], raw: Mapping[str, tuple[dict[str, Any], str]], source: str) -> dict[str, Any]:
    parent_name = table.get("extends")
    if parent_name is None:
        return dict(table)
    if parent_name not in raw:
        raise UsageError(f"profile {name!r} ({source}) extends unknown profile {parent_name!r}")
    parent = dict(raw[parent_name][0])
    parent.pop("extends", None)
    merged = {**parent, **{k: v for k, v in table.items() if k != "extends"}}
    merged["default_values"] = {**parent.get("default_values", {}), **table.get("default_values", {})}
    return merged


def get_profile(name: str, profiles_file: str | Path | None = None) -> Profile:
    """The profile called ``name``.

    Raises:
        UsageError: no such profile (the message lists the known ones).
    """
    profiles = load_profiles(profiles_file)
    if name not in profiles:
        raise UsageError(f"unknown G-code profile {name!r} (known profiles: {', '.join(sorted(profiles))})")
    return profiles[name]
