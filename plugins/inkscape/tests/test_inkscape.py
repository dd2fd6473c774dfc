"""The Inkscape extension, run by Inkscape itself and the way Inkscape runs it.

* Real host: the extension is installed with install.sh into a temporary Inkscape configuration
  (XDG_CONFIG_HOME), its options set in that configuration's preferences.xml, and Inkscape runs it
  as an action (`org.strokebot.trace.noprefs`) on a fixture SVG, then saves the result. Inkscape
  registers extension actions only with its GUI up, hence `-g` under a virtual display (xvfb-run).
* Script runs: Inkscape's Python (Debian's python3, inkex from Inkscape's extensions folder) runs
  strokebot_trace.py with the argv Inkscape gives it, for the options and the error paths.
* The helper that runs under strokebot's Python is also tested on its own.

Debian's inkscape, python3-lxml, python3-numpy, python3-cssselect, xvfb and xauth are needed;
plugins/test-all.sh installs them.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import strokebot

HERE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(HERE))
import strokebot_strokes  # noqa: E402

SVG = "http://www.w3.org/2000/svg"
INK = "http://www.inkscape.org/namespaces/inkscape"
XLINK = "http://www.w3.org/1999/xlink"
VENV_STROKEBOT = Path(sys.executable).with_name("strokebot")  # what a user would give in the dialog
INKSCAPE_TIMEOUT = 120


def system_extensions() -> Path | None:
    inkscape = shutil.which("inkscape")
    if inkscape is None:
        return None
    done = subprocess.run([inkscape, "--system-data-directory"], capture_output=True, text=True, timeout=120)
    folder = Path(done.stdout.strip().splitlines()[-1]) / "extensions" if done.stdout.strip() else None
    return folder if folder and (folder / "inkex").is_dir() else None


def inkscape_python() -> str | None:
    """Debian's python3 with inkex importable, as Inkscape would run it."""
    extensions = system_extensions()
    python = shutil.which("python3", path="/usr/bin:/bin")
    if extensions is None or python is None:
        return None
    check = subprocess.run([python, "-c", "import inkex"], env={**os.environ, "PYTHONPATH": str(extensions)},
                           capture_output=True, timeout=120)
    return python if check.returncode == 0 else None


INKSCAPE_PYTHON = inkscape_python()
needs_inkex = pytest.mark.skipif(
    INKSCAPE_PYTHON is None,
    reason="Debian's inkscape with python3-lxml, python3-numpy and python3-cssselect is not installed (plugins/test-all.sh installs them)",
)
needs_inkscape = pytest.mark.skipif(
    INKSCAPE_PYTHON is None or shutil.which("xvfb-run") is None,
    reason="inkscape and xvfb-run are needed to run the extension inside Inkscape (plugins/test-all.sh installs them)",
)


# -- fixtures ---------------------------------------------------------------------------------------

def write_svg(path: Path, image_href: str, *, box: str = 'x="10" y="5" width="60" height="20"', extra: str = "") -> Path:
    """A 120 × 80 mm document (user unit = mm) with the bitmap in a layer shifted by (5, 10)."""
    path.write_text(
        f'<svg xmlns="{SVG}" xmlns:xlink="{XLINK}" xmlns:inkscape="{INK}" width="120mm" height="80mm" viewBox="0 0 120 80">\n'
        f'<g inkscape:groupmode="layer" inkscape:label="scan" id="layer1" transform="translate(5,10)">\n'
        f'<image id="glyphs" {box} xlink:href="{image_href}"/>\n{extra}</g>\n</svg>\n'
    )
    return path


def embedded(png: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(png.read_bytes()).decode()


def strokebot_layers(path: Path) -> list[ET.Element]:
    root = ET.parse(path).getroot()
    return [g for g in root.findall(f"{{{SVG}}}g") if (g.get(f"{{{INK}}}label") or "").startswith("strokebot")]


def path_points(element: ET.Element) -> np.ndarray:
    numbers = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", element.get("d"))]
    return np.array(numbers).reshape(-1, 2)


def all_points(layer: ET.Element) -> np.ndarray:
    return np.concatenate([path_points(p) for p in layer.iter(f"{{{SVG}}}path")])


def within(points: np.ndarray, box: tuple[float, float, float, float], tolerance: float) -> bool:
    x0, y0, x1, y1 = box
    return bool(((points >= [x0 - tolerance, y0 - tolerance]) & (points <= [x1 + tolerance, y1 + tolerance])).all())


@pytest.fixture
def word(tmp_path: Path, draw) -> Path:
    return draw(tmp_path / "glyphs.png", "A7x")  # 3 separate glyphs


def run_inkscape(tmp_path: Path, document: Path, preferences: dict[str, str], select: str = "glyphs") -> Path:
    """Install the extension into a fresh Inkscape configuration and run it as Inkscape does."""
    config = tmp_path / "config"
    subprocess.run(["sh", str(HERE / "install.sh"), str(config / "inkscape" / "extensions")], check=True,
                   capture_output=True, timeout=60)
    settings = " ".join(f'org.strokebot.trace.{k}="{v}"' for k, v in preferences.items())
    (config / "inkscape" / "preferences.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        f'<inkscape xmlns:inkscape="{INK}" version="1">\n'
        f'  <group id="extensions" python-interpreter="{INKSCAPE_PYTHON}" {settings} />\n'
        "</inkscape>\n"
    )
    out = tmp_path / "traced.svg"
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_DATA_HOME": str(tmp_path / "data")}
    actions = f"select-by-id:{select};org.strokebot.trace.noprefs;export-filename:{out};export-do"
    # An extension that fails makes Inkscape's GUI wait on an error dialog: give up after a while,
    # and take Inkscape and its virtual display down with xvfb-run.
    process = subprocess.Popen(["xvfb-run", "-a", "inkscape", "-g", "--batch-process", f"--actions={actions}", str(document)],
                               cwd=document.parent, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=INKSCAPE_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        output, _ = process.communicate()
        pytest.fail(f"Inkscape did not finish in {INKSCAPE_TIMEOUT} s (an error dialog?):\n{output}")
    assert process.returncode == 0 and out.exists(), output
    return out


def run_script(document: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """strokebot_trace.py run the way Inkscape runs an effect: options, the document, SVG on stdout."""
    environment = {**os.environ, "PYTHONPATH": str(system_extensions()), **(env or {})}
    return subprocess.run([INKSCAPE_PYTHON, str(HERE / "strokebot_trace.py"), *args, str(document)],
                          cwd=document.parent, env=environment, capture_output=True, text=True, timeout=300)


# -- inside Inkscape ------------------------------------------------------------------------------

@needs_inkscape
def test_inkscape_traces_an_embedded_bitmap_onto_a_new_layer(tmp_path: Path, word: Path) -> None:
    document = write_svg(tmp_path / "page.svg", embedded(word))
    out = run_inkscape(tmp_path, document, {"strokebot": VENV_STROKEBOT, "pen_width": "0.3", "layers": "glyph"})

    [layer] = strokebot_layers(out)
    assert layer.get(f"{{{INK}}}groupmode") == "layer" and layer.get("transform") is None
    glyphs = layer.findall(f"{{{SVG}}}g")
    assert [g.get(f"{{{INK}}}label") for g in glyphs] == ["glyph 1", "glyph 2", "glyph 3"]
    paths = list(layer.iter(f"{{{SVG}}}path"))
    assert paths
    # the bitmap: 60 × 20 at (10, 5) inside a layer moved by (5, 10); each glyph's strokes on its ink
    traced = strokebot.trace(word)
    matrix = np.array(strokebot_strokes.compose(
        [[1, 0, 5], [0, 1, 10]], strokebot_strokes.box_matrix((traced.width, traced.height), (10, 5, 60, 20))))
    scale = matrix[0, 0]
    assert within(all_points(layer), (15.0, 15.0, 75.0, 35.0), tolerance=0.5)
    for glyph in glyphs:
        box = traced.glyph_boxes[int(glyph.get(f"{{{INK}}}label").split()[1]) - 1]
        (x0, y0), (x1, y1) = (matrix[:, :2] @ np.array(box).reshape(2, 2).T + matrix[:, 2:]).T
        assert within(all_points(glyph), (x0, y0, x1, y1), tolerance=3 * scale)
    for path in paths:
        assert "stroke-width:0.3" in path.get("style") and "fill:none" in path.get("style")
        pressure = path.get("{urn:strokebot:svg:1}pressure").split()
        assert len(pressure) == len(path_points(path))
    # the bitmap is still there, untouched
    assert ET.parse(out).getroot().find(f".//{{{SVG}}}image[@id='glyphs']") is not None


@needs_inkscape
def test_inkscape_traces_a_linked_bitmap_kept_in_its_aspect(tmp_path: Path, word: Path) -> None:
    # A square box for a 3:1 bitmap: SVG's default xMidYMid meet centres it vertically.
    document = write_svg(tmp_path / "page.svg", word.name, box='x="10" y="5" width="60" height="60"')
    out = run_inkscape(tmp_path, document, {"strokebot": VENV_STROKEBOT.parent.parent, "order": "traced"})
    [layer] = strokebot_layers(out)
    width, height = Image.open(word).size
    drawn_h = 60 * height / width
    top = 15 + (60 - drawn_h) / 2
    assert within(all_points(layer), (15.0, top, 75.0, top + drawn_h), tolerance=0.5)


# -- the script, run as Inkscape runs it --------------------------------------------------------

@needs_inkex
def test_script_traces_every_bitmap_when_none_is_selected(tmp_path: Path, word: Path, draw) -> None:
    second = draw(tmp_path / "digit.png", "7")
    extra = f'<image id="digit" x="80" y="40" width="20" height="20" xlink:href="{embedded(second)}"/>\n'
    document = write_svg(tmp_path / "page.svg", embedded(word), extra=extra)
    done = run_script(document, "--hide_image=true", f"--strokebot={VENV_STROKEBOT}")
    assert done.returncode == 0, done.stderr
    (tmp_path / "out.svg").write_text(done.stdout)
    layers = strokebot_layers(tmp_path / "out.svg")
    assert [layer.get(f"{{{INK}}}label") for layer in layers] == ["strokebot glyphs", "strokebot digit"]
    assert within(all_points(layers[1]), (85.0, 50.0, 105.0, 70.0), tolerance=0.5)
    images = ET.parse(tmp_path / "out.svg").getroot().iter(f"{{{SVG}}}image")
    assert all("display:none" in (i.get("style") or "") for i in images)


@needs_inkex
def test_script_orders_strokes_to_cut_travel(tmp_path: Path, word: Path) -> None:
    document = write_svg(tmp_path / "page.svg", embedded(word))
    travel = {}
    for order in ("traced", "travel"):
        done = run_script(document, "--id=glyphs", f"--order={order}", "--simplify=0", f"--strokebot={VENV_STROKEBOT}")
        assert done.returncode == 0, done.stderr
        (tmp_path / f"{order}.svg").write_text(done.stdout)
        [layer] = strokebot_layers(tmp_path / f"{order}.svg")
        paths = [path_points(p) for p in layer.iter(f"{{{SVG}}}path")]
        travel[order] = sum(np.hypot(*(b[0] - a[-1])) for a, b in zip(paths, paths[1:], strict=False))
    assert travel["travel"] <= travel["traced"]


@needs_inkex
def test_strokebot_found_from_env_venv_folder_or_a_scripts_shebang(tmp_path: Path, word: Path) -> None:
    document = write_svg(tmp_path / "page.svg", embedded(word))
    script = tmp_path / "bin-elsewhere" / "strokebot"
    script.parent.mkdir()
    script.write_text(f"#!{sys.executable}\nfrom strokebot.cli import main\nmain()\n")
    for args, env in [
        ((), {"STROKEBOT_PYTHON": sys.executable}),
        ((f"--strokebot={VENV_STROKEBOT.parent.parent}",), {}),
        ((f"--strokebot={script}",), {}),
    ]:
        done = run_script(document, "--id=glyphs", *args, env=env)
        assert done.returncode == 0, (args, env, done.stderr)
        assert "strokebot glyphs" in done.stdout


@needs_inkex
@pytest.mark.parametrize(("args", "message"), [
    (("--id=frame",), "select a bitmap"),
    (("--id=glyphs", "--strokebot=/nowhere/strokebot"), "is neither the strokebot command"),
    (("--id=glyphs", f"--strokebot={shutil.which('python3', path='/usr/bin:/bin')}"), "strokebot was not found"),
    (("--id=glyphs", "--polarity=sideways"), "strokebot: "),
])
def test_script_errors_say_what_to_do(tmp_path: Path, word: Path, args: tuple[str, ...], message: str) -> None:
    document = write_svg(tmp_path / "page.svg", embedded(word), extra='<rect id="frame" width="5" height="5"/>\n')
    if "strokebot" not in " ".join(args):
        args = (*args, f"--strokebot={VENV_STROKEBOT}")
    done = run_script(document, *args)
    assert done.returncode != 0
    assert message in done.stderr
    assert "Traceback" not in done.stderr


# -- the helper, under strokebot's Python ----------------------------------------------------------

def test_box_matrix_follows_preserve_aspect_ratio() -> None:
    assert strokebot_strokes.box_matrix((100, 50), (0, 0, 40, 40), "xMinYMax meet") == [[0.4, 0, 0], [0, 0.4, 20]]
    assert strokebot_strokes.box_matrix((100, 50), (0, 0, 40, 40), "xMidYMid slice") == [[0.8, 0, -20], [0, 0.8, 0]]
    assert strokebot_strokes.box_matrix((100, 50), (5, 5, 0, 0)) == [[1, 0, 5], [0, 1, 5]]
    translate = [[1, 0, 5], [0, 1, 10]]
    assert strokebot_strokes.compose(translate, [[2, 0, 1], [0, 3, 1]]) == [[2, 0, 6], [0, 3, 11]]


def test_helper_prints_placed_strokes(word: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(HERE / "strokebot_strokes.py"), str(word), "--box", "0", "0", "30", "10",
         "--transform", "2", "0", "100", "0", "2", "50", "--order"],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["format"] == "strokebot-inkscape" and result["version"] == 1 and result["glyphs"] == 3
    points = np.concatenate([np.array(s["points"]) for s in result["strokes"]])
    assert points.shape[1] == 4 and ((points[:, 2:] >= 0) & (points[:, 2:] <= 1)).all()
    w, h = result["image_size"]
    drawn_h = 30 * h / w
    top = 50 + 2 * (10 - drawn_h) / 2
    assert within(points[:, :2], (100, top, 160, top + 2 * drawn_h), tolerance=1e-6)
