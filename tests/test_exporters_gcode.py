"""strokebot.exporters.gcode: every profile read back by real parsers, linted per firmware, and
compared move by move with the strokes it came from."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from gcode_machine import GcodeMachine
from gcodeparser import parse_gcode_lines

from strokebot.drawing import Drawing, Stroke
from strokebot.errors import ExportError, UsageError
from strokebot.exporters import export
from strokebot.exporters.gcode import Profile, get_profile, to_gcode

PROFILES = ("grbl-servo", "grbl-z", "grbl-laser", "marlin-servo", "marlin-z", "klipper-servo", "klipper-z")
DWELL = 0.25  # s: GRBL must write P0.25, Marlin and Klipper P250

# What each firmware accepts (FORMATS.md; GRBL 1.1's command list, Marlin's and Klipper's G-code docs).
ALLOWED = {
    "grbl": {"G0", "G1", "G2", "G3", "G4", "G10", "G17", "G18", "G19", "G20", "G21", "G28", "G30", "G53", "G54",
             "G80", "G90", "G91", "G92", "G93", "G94", "M0", "M1", "M2", "M30", "M3", "M4", "M5", "M7", "M8", "M9"},
    "marlin": {"G0", "G1", "G4", "G28", "G90", "G91", "G92", "M3", "M5", "M18", "M84", "M280", "M400"},
    "klipper": {"G0", "G1", "G4", "G28", "G90", "G91", "G92", "M18", "M84", "M400", "SET_SERVO"},
}
GRBL_WORDS = set("GMXYZFSP")
LINE = re.compile(r"^(?:(?P<code>[GM]\d+)(?P<words>(?: [A-Z]-?\d+(?:\.\d+)?)*)|(?P<ext>[A-Z_]+)(?P<params>(?: [A-Z]+=\S+)*))$")


@pytest.fixture(autouse=True)
def no_user_profiles(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.delenv("STROKEBOT_PROFILES", raising=False)


def sample() -> Drawing:
    """Two glyphs on a 60 x 40 mm page: a corner with rising pressure, an arc with fading ink, a bar."""
    angles = np.linspace(0, math.pi, 12)
    arc = np.column_stack([40 + 8 * np.cos(angles), 20 + 8 * np.sin(angles), np.full(12, 0.5), np.linspace(1, 0.2, 12)])
    return Drawing(
        [
            Stroke([[5, 5, 0.0, 1.0], [25, 5, 0.5, 0.9], [25, 30, 1.0, 0.6]], glyph=0),
            Stroke(arc, glyph=1),
            Stroke([[30, 35, 0.3, 1.0], [55, 35, 0.8, 1.0]], glyph=1),
        ],
        width=60, height=40, units="mm",
    )


def program(profile: str, drawing: Drawing | None = None, **options) -> str:
    options.setdefault("simplify", 0)
    params = get_profile(profile).default_values
    for name in ("dwell_down", "dwell_up"):
        if name in params:
            options.setdefault(name, DWELL)
    return to_gcode(drawing or sample(), profile, **options)


def code_lines(text: str) -> list[str]:
    return [line for line in (raw.split(";", 1)[0].strip() for raw in text.splitlines()) if line]


def words(line: str) -> dict[str, float]:
    return {w[0]: float(w[1:]) for w in line.split()[1:] if re.fullmatch(r"[A-Z]-?\d+(\.\d+)?", w)}


def pen_moves(text: str, profile: Profile) -> list[np.ndarray]:
    """Replay the program: the pen-down polylines it draws, rows of machine x, y, z-or-s."""
    params = profile.default_values
    strokes: list[list[list[float]]] = []
    x = y = 0.0
    z = params.get("z_up", 0.0)
    down = False
    for line in code_lines(text):
        command = line.split()[0]
        w = words(line)
        before = (x, y)
        if command in ("M3", "M280"):
            down = w["S"] == params["pen_down"]
            if down:
                strokes.append([[x, y, math.nan]])
        elif command == "SET_SERVO":
            down = float(line.split("ANGLE=")[1]) == params["pen_down"]
            if down:
                strokes.append([[x, y, math.nan]])
        elif command in ("G0", "G1"):
            x, y = w.get("X", x), w.get("Y", y)
            if "Z" in w:
                was_down, z = down, w["Z"]
                down = z <= params["z_touch"] + 1e-9
                if down and not was_down:
                    strokes.append([[x, y, z]])
                elif down and ("X" in w or "Y" in w):
                    strokes[-1].append([x, y, z])
            elif profile.firmware == "grbl" and "s_max" in params:  # laser: G1 burns, G0 does not
                if command == "G1":
                    if not down:
                        strokes.append([[*before, math.nan]])
                    strokes[-1].append([x, y, w.get("S", strokes[-1][-1][2])])
                down = command == "G1"
            elif down and command == "G1":
                strokes[-1].append([x, y, math.nan])
    return [np.array(s) for s in strokes]


def feed_time_bound(text: str, profile: Profile) -> float:
    """Seconds no firmware can run ``text`` in, read back by gcodeparser from X0 Y0 Z0.

    Each move takes at least its length at its feed rate (the F in force; GRBL's G0 takes no F),
    no axis moves faster than the profile's max rate for it, and every dwell is waited out in full.
    Acceleration only adds to this, so the estimate in the header must never be below it.
    """
    rates = [getattr(profile, f"max_rate_{axis}", None) or math.inf for axis in "xyz"]
    dwell_unit = 1000.0 if profile.dwell_unit == "ms" else 1.0
    position, feed, total = np.zeros(3), math.inf, 0.0
    for line in parse_gcode_lines(text):
        if line.command == ("G", 4):
            total += line.params.get("P", 0.0) / dwell_unit
        if line.command not in (("G", 0), ("G", 1)):
            continue
        feed = line.params.get("F", feed)
        target = np.array([line.params.get(axis, position[k]) for k, axis in enumerate("XYZ")], dtype=float)
        delta = np.abs(target - position)
        seconds = max(d / (rate / 60.0) for d, rate in zip(delta, rates, strict=True))
        if line.command == ("G", 1) or profile.firmware != "grbl":
            seconds = max(seconds, float(np.hypot.reduce(delta)) / (feed / 60.0))
        total += seconds
        position = target
    return total


def header_estimate(text: str) -> float:
    """The plot time the header states, in seconds."""
    match = re.search(r"estimated plot time (?:(\d+) h )?(?:(\d+) min )?(?:([\d.]+) s)?", text)
    assert match and any(match.groups()), "no plot time in the header"
    hours, minutes, seconds = (float(g or 0) for g in match.groups())
    return 3600 * hours + 60 * minutes + seconds


def golden_sample() -> Drawing:
    """The golden files' drawing: a px trace fitted to 60 mm."""
    from test_exporters_golden import sample as golden

    return golden()


def far_drawing() -> Drawing:
    """Strokes far from the origin and from each other: travel is most of the plot."""
    return Drawing(
        [Stroke([[150, 20], [180, 60], [200, 20]]), Stroke([[20, 150], [60, 180]]), Stroke([[190, 190], [195, 190]])],
        width=210, height=210, units="mm",
    )


# -- every profile, read back ----------------------------------------------------------------------


@pytest.mark.parametrize("name", PROFILES)
def test_gcodeparser_reads_every_command(name):
    text = program(name)
    lines = code_lines(text)
    parsed = list(parse_gcode_lines(text))
    extended = [line for line in lines if not re.match(r"[GM]\d", line)]  # Klipper's SET_SERVO: not G-code words
    assert len(parsed) == len(lines) - len(extended) > 10
    assert all(line.startswith("SET_SERVO ") for line in extended)
    moves = [p for p in parsed if p.command_str in ("G0", "G1")]
    assert moves and all(set(p.params) <= set("XYZFS") for p in moves)


@pytest.mark.parametrize("name", PROFILES)
def test_firmware_lint(name):
    profile = get_profile(name)
    text = program(name)
    allowed = ALLOWED[profile.firmware]
    lines = code_lines(text)
    previous = ""
    first_draw_move = True
    for raw in text.splitlines():
        assert raw.isascii() and raw == raw.rstrip()
        if profile.firmware == "grbl":
            assert len(raw) <= 79, raw
    for line in lines:
        match = LINE.match(line)
        assert match, f"not one command with fixed-point words: {line!r}"
        command = match["code"] or match["ext"]
        assert command in allowed, f"{command} is not a {profile.firmware} command"
        assert not re.search(r"\d[eE][+-]?\d", line), f"exponent notation: {line}"
        w = words(line)
        if profile.firmware == "grbl":
            assert set(w) <= GRBL_WORDS
        if command == "G4":
            expected = DWELL if profile.dwell_unit == "s" else DWELL * 1000
            assert w["P"] == pytest.approx(expected), f"dwell {line} in the wrong unit"
            assert previous.split()[0] in ("M3", "M280", "SET_SERVO"), "dwell only where the pen state changes"
        if command == "M280":
            assert previous == "M400", "Marlin needs M400 before M280"
        if command == "G1" and ("X" in w or "Y" in w):
            if first_draw_move:
                assert "F" in w, f"F missing on the first G1 of a stroke: {line}"
            first_draw_move = False
            if name == "grbl-servo":
                assert "S" not in w, "a servo S mid-stroke stops GRBL's motion"
        else:
            first_draw_move = first_draw_move or command in ("G0", "M3", "M280", "SET_SERVO") or "Z" in w
        if name == "grbl-laser" and command == "G0":
            assert "S" not in w
        previous = line
    assert lines[-1] in (("M2", "M30") if profile.firmware == "grbl" else ("M84",))
    if name == "grbl-laser":
        assert "M4 S0" in lines and not any(line.startswith("M3") for line in lines)
    if profile.firmware == "grbl":
        assert lines[:2] == ["G21", "G90"]
    else:
        assert "G90" in lines[:2]


@pytest.mark.parametrize("name", PROFILES)
def test_moves_match_the_strokes(name):
    profile = get_profile(name)
    drawing = sample()
    text = program(name, drawing)
    drawn = pen_moves(text, profile)
    assert len(drawn) == len(drawing.strokes)
    p = profile.default_values
    for stroke, moves in zip(drawing.strokes, drawn, strict=True):
        expected = np.column_stack([stroke.xy[:, 0], drawing.height - stroke.xy[:, 1]])
        np.testing.assert_allclose(moves[:, :2], expected, atol=1e-3)
        if "z_full" in p:  # Z follows pressure on every move, the plunge included
            depth = p["z_touch"] + stroke.pressure * (p["z_full"] - p["z_touch"])
            np.testing.assert_allclose(moves[:, 2], depth, atol=1e-3)
        if "s_max" in p:  # S follows the intensity of the point each G1 goes to
            power = p["s_min"] + stroke.intensity[1:] * (p["s_max"] - p["s_min"])
            np.testing.assert_allclose(moves[1:, 2], power, atol=0.5)


@pytest.mark.parametrize("name", [n for n in PROFILES if n.startswith("grbl")])
def test_gcode_machine_accepts_grbl_programs_line_by_line(name):
    """gcode-machine holds GRBL's command list and tracks the position as GRBL would."""
    drawing = sample()
    machine = GcodeMachine()
    visited = []
    feed_seen = False
    for line in code_lines(program(name, drawing)):
        machine.set_line(line)
        machine.strip()
        machine.tidy()
        assert not machine.line_is_unsupported_cmd, f"GRBL rejects {line!r}"
        machine.parse_state()
        feed_seen = feed_seen or machine.contains_feed
        if line.startswith("G1") and ("X" in line or "Y" in line):
            assert feed_seen, "G1 before any feed: GRBL error 22"
        machine.done()
        if line.startswith("G1") and "X" in line:
            visited.append(machine.position_m[:2])
    expected = [[x, drawing.height - y] for s in drawing.strokes for x, y in s.xy[1:]]
    np.testing.assert_allclose(visited, expected, atol=1e-3)


def test_done_when_a_fitted_image_trace_plots_on_grbl_z_at_60mm():
    """The issue's acceptance case without the model: a px drawing fitted to 60 mm, Z following pressure."""
    px = Drawing(
        [Stroke([[10, 10, 0.1, 1], [60, 12, 0.5, 1], [90, 40, 0.9, 1]], glyph=0), Stroke([[120, 20, 0.4, 1], [150, 50, 0.6, 1]], glyph=1)],
        width=160, height=60, units="px", pen_width=4,
    )
    fitted = px.fit(width=60).reordered()
    text = export(fitted, "gcode", profile="grbl-z").decode()
    profile = get_profile("grbl-z")
    drawn = pen_moves(text, profile)
    assert len(drawn) == 2
    xs = np.concatenate([d[:, 0] for d in drawn])
    assert xs.min() >= 0 and xs.max() <= 60
    for stroke, moves in zip(fitted.strokes, drawn, strict=True):
        np.testing.assert_allclose(moves[:, 2], -stroke.pressure, atol=1e-3)  # z_touch 0, z_full -1
    assert "page 60 x 22.5 mm" in text


# -- options -----------------------------------------------------------------------------------------


def test_dwell_units_follow_the_firmware():
    assert "G4 P0.40" in program("grbl-servo", dwell_down=0.4)
    assert "G4 P400" in program("marlin-servo", dwell_down=0.4)
    assert "G4 P400" in program("klipper-servo", dwell_down=0.4)


def test_unknown_profile_lists_the_known_ones():
    with pytest.raises(UsageError, match=r"unknown G-code profile 'grbl' \(known profiles: grbl-laser, grbl-servo, grbl-z"):
        export(sample(), "gcode", profile="grbl")


def test_unknown_option_lists_the_known_ones():
    with pytest.raises(UsageError, match=r"has no option 'spindle'.*known options: .*profile.*feed"):
        export(sample(), "gcode", profile="grbl-z", spindle=3)


def test_option_of_another_profile_is_refused_not_ignored():
    with pytest.raises(UsageError, match=r"'z_up'.*known options: .*pen_down"):
        export(sample(), "gcode", profile="grbl-servo", z_up=5)


@pytest.mark.parametrize("option, value", [("feed", 0), ("feed", "fast"), ("dwell_down", -1), ("simplify", -0.1), ("page_height", 0)])
def test_bad_values_are_usage_errors(option, value):
    name = "grbl-servo"
    with pytest.raises(UsageError, match=option):
        to_gcode(sample(), name, **{option: value})


def test_feeds_and_z_limits_reach_the_program():
    text = program("grbl-z", feed=1234, plunge_feed=222, z_up=4.5, z_full=-0.5)
    assert "F1234" in text and "F222" in text and "G0 Z4.500" in text and "Z-0.500" in text


def test_simplify_defaults_to_half_the_pen_width_and_can_be_disabled():
    dense = np.column_stack([np.linspace(0, 50, 200), 10 + 0.01 * np.sin(np.linspace(0, 20, 200))])
    drawing = Drawing([Stroke(dense)], width=60, height=20, units="mm", pen_width=0.4)
    simplified = to_gcode(drawing, "grbl-servo")
    kept = to_gcode(drawing, "grbl-servo", simplify=False)
    assert simplified.count("G1 ") == 1 and kept.count("G1 ") == 199
    assert "simplified from 200, tolerance 0.2 mm" in simplified and "not simplified" in kept


def test_ordering_reports_pen_up_travel_before_and_after():
    far = Drawing([Stroke([[0, 0], [1, 0]]), Stroke([[50, 0], [51, 0]]), Stroke([[2, 0], [3, 0]])], width=60, height=10, units="mm")
    text = to_gcode(far, "grbl-servo", order=True)
    match = re.search(r"pen-up travel ([\d.]+) mm \(before ordering ([\d.]+) mm\)", text)
    assert match and float(match[1]) < float(match[2]) == pytest.approx(49 + 49, abs=0.1)
    assert "before ordering" not in to_gcode(far, "grbl-servo")


def test_header_reports_length_travel_and_plot_time():
    text = program("grbl-z")
    header = [line for line in text.splitlines() if line.startswith(";")]
    assert any("pen-down length" in line and "pen-up travel" in line for line in header)
    assert any(re.search(r"estimated plot time \d+\.\d s", line) for line in header)
    assert "; " not in to_gcode(sample(), "grbl-z", comments=False)


def test_page_origin_and_flip_options():
    d = Drawing([Stroke([[10, 10], [20, 10]])], width=40, height=30, units="mm")
    assert "G0 X10.000 Y20.000" in to_gcode(d, "grbl-servo")
    assert "G0 X10.000 Y90.000" in to_gcode(d, "grbl-servo", page_height=100)
    assert "G0 X15.000 Y19.000" in to_gcode(d, "grbl-servo", offset_x=5, offset_y=-1)
    assert "G0 X10.000 Y10.000" in to_gcode(d, "grbl-servo", vertical_flip=False)


def test_px_drawings_are_css_pixels():
    d = Drawing([Stroke([[0, 96], [96, 96]])], width=192, height=192, units="px")
    assert "G1 X25.400 Y25.400" in to_gcode(d, "grbl-servo", simplify=0)


def test_out_of_range_pressure_never_plunges_below_z_full():
    d = Drawing([Stroke([[0, 0, 1.7, 1.4], [5, 0, -0.5, 1.0]])], width=10, height=10, units="mm")
    text = to_gcode(d, "grbl-z", simplify=0)
    assert "G1 Z-1.000" in text and "Z0.000 F1500" in text
    assert "S1000" in to_gcode(d, "grbl-laser", simplify=0)


def test_no_negative_zero_and_no_exponents_for_tiny_numbers():
    d = Drawing([Stroke([[1e-9, 30 - 1e-9], [1e-7, 30]])], width=30, height=30, units="mm")
    text = to_gcode(d, "grbl-servo", simplify=0)
    assert "X0.000 Y0.000" in text and "-0.000" not in text and "e-" not in text


# -- user profiles ------------------------------------------------------------------------------------


VPYPE_PROFILE = '''
[gwrite.my_plotter]
unit = "mm"
document_start = "G21\\nG90\\n"
segment_first = """G0 X{x:.4f} Y{y:.4f}
M3 S1000
G4 P0.3
G1 Z1 F3500
"""
segment = """G01 X{x:.4f} Y{y:.4f} Z1\\n"""
line_end = """G0 Z5
M5 S0
G4 P0.5\\n"""
document_end = """M5\\nG0 X0.0000 Y0.0000\\nM2\\n"""
invert_y = true
info = "pasted from vpype"
'''


def test_a_vpype_gcode_profile_pastes_in(tmp_path):
    path = tmp_path / "vpype.toml"
    path.write_text(VPYPE_PROFILE)
    profile = get_profile("my_plotter", path)
    assert profile.vertical_flip and profile.source == str(path)
    text = export(sample(), "gcode", profile="my_plotter", profiles_file=str(path), simplify=0).decode()
    assert "G0 X5.0000 Y35.0000" in text and "G01 X25.0000 Y35.0000 Z1" in text
    assert "; pasted from vpype" in text and "no plot time estimate" in text
    with pytest.raises(UsageError, match="has no option 'feed'"):
        export(sample(), "gcode", profile="my_plotter", profiles_file=str(path), feed=1000)


def test_template_errors_are_caught(tmp_path):
    path = tmp_path / "p.toml"
    path.write_text(
        '[unknown]\ndefault_values = { feed = 100 }\nsegment = "G1 X{x} Y{why}\\n"\n'
        '[exponent]\ndefault_values = { feed = 100 }\nsegment = "G1 X{x:g} Y{y:g}\\n"\n'
        '[long]\nmax_line_length = 20\ndefault_values = { feed = 100 }\nsegment = "G1 X{x:.3f} Y{y:.3f} ; a comment\\n"\n'
        '[noz]\ndefault_values = { feed = 100 }\nsegment = "G1 Z{z}\\n"\n'
    )
    tiny = Drawing([Stroke([[3, 5], [1e-7, 5]])], width=10, height=10, units="mm")
    with pytest.raises(UsageError, match=r"unknown placeholder \{why\}"):
        to_gcode(tiny, "unknown", profiles_file=path)
    with pytest.raises(ExportError, match="exponent notation"):
        to_gcode(tiny, "exponent", profiles_file=path, simplify=0)
    with pytest.raises(ExportError, match="more than generic takes"):
        to_gcode(tiny, "long", profiles_file=path, simplify=0, comments=False)
    with pytest.raises(UsageError, match=r"\{z\} \(needs z_touch and z_full"):
        to_gcode(tiny, "noz", profiles_file=path)


def test_no_move_to_where_the_pen_already_is():
    # A stroke of one point drawn twice over, and a point a hair from the last: one move each.
    drawing = Drawing([Stroke([[1, 1], [1, 1], [5, 1], [5.0001, 1], [5, 4]])], width=10, height=10, units="mm")
    moves = [line for line in to_gcode(drawing, "grbl-servo", simplify=0, comments=False).splitlines() if line.startswith(("G0 X", "G1 X"))]
    assert moves == ["G0 X1.000 Y9.000", "G1 X5.000 Y9.000 F2000", "G1 X5.000 Y6.000", "G0 X0 Y0"]  # the last: home
