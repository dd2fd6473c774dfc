"""Draw each plugin's example picture: the input bitmap beside what the host tool made of it.

    python plugins/make_examples.py        (after bash plugins/test-all.sh has installed the plugins)

Writes plugins/vpype-strokebot/example.png, plugins/strokebot-dxf/example.png,
plugins/inkscape/example.png and plugins/strokebot-arm/example.png. Each runs the pipeline its
README shows, with the real tool: vpype's command line, strokebot's command line read back by ezdxf,
Inkscape running the extension (skipped, with a message, where Inkscape or xvfb-run is missing),
and `strokebot simulate` on the bundled word photo, its preview being the picture. Inputs are drawn here with a
Hershey single-stroke font and a thick pen, on a textured page.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from strokebot.datasets import hershey_text

PLUGINS = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
PANEL_H = 120  # pixels
COLOURS = [(200, 30, 30), (30, 110, 200), (20, 150, 60), (190, 120, 0), (140, 40, 170), (0, 140, 140)]


def draw_input(path: Path, text: str, font: str) -> Path:
    """``text`` in ink on a slightly shaded, noisy page, as a phone photo of a note would be."""
    page = hershey_text(text, font=font, height=80, pen=7, margin=24, ink=20, shade=(0.8, 1.0), noise=8, seed=1)
    Image.fromarray(page).save(path)
    return path


def render_lines(layers: list[list[np.ndarray]], size: tuple[float, float], *, y_up: bool = False) -> Image.Image:
    """Polylines (one list per layer, page units) drawn on white, a colour per layer."""
    scale = PANEL_H / size[1]
    image = Image.new("RGB", (max(1, round(size[0] * scale)), PANEL_H), "white")
    pen = ImageDraw.Draw(image)
    for index, lines in enumerate(layers):
        colour = COLOURS[index % len(COLOURS)] if len(layers) > 1 else (20, 20, 20)
        for line in lines:
            xy = np.asarray(line, float)[:, :2] * scale
            if y_up:
                xy[:, 1] = PANEL_H - xy[:, 1]
            points = [tuple(p) for p in xy.tolist()]
            if len(points) == 1:
                points *= 2
            pen.line(points, fill=colour, width=3, joint="curve")
    return image


def side_by_side(source: Path, result: Image.Image, target: Path) -> None:
    bitmap = Image.open(source).convert("RGB")
    bitmap = bitmap.resize((round(bitmap.width * PANEL_H / bitmap.height), PANEL_H))
    gap = 24
    canvas = Image.new("RGB", (bitmap.width + gap + result.width, PANEL_H), "white")
    canvas.paste(bitmap, (0, 0))
    canvas.paste(result, (bitmap.width + gap, 0))
    arrow = ImageDraw.Draw(canvas)
    middle = PANEL_H // 2
    arrow.line([(bitmap.width + 4, middle), (bitmap.width + gap - 6, middle)], fill=(120, 120, 120), width=2)
    arrow.polygon([(bitmap.width + gap - 4, middle), (bitmap.width + gap - 10, middle - 4), (bitmap.width + gap - 10, middle + 4)],
                  fill=(120, 120, 120))
    canvas.quantize(colors=64).save(target, optimize=True)
    print(f"wrote {target.relative_to(PLUGINS.parent)} ({target.stat().st_size // 1024} KiB)")


def run(*command: str | Path, cwd: Path, env: dict[str, str] | None = None) -> None:
    print("$", " ".join(str(c) for c in command))
    subprocess.run([str(c) for c in command], cwd=cwd, env=env, check=True, timeout=300)


def vpype_example(work: Path) -> None:
    import vpype as vp

    word = draw_input(work / "word.png", "word", "futural")
    run(BIN / "vpype", "strokebot", word.name, "--width", "60mm", "write", "word.svg", cwd=work)
    document = vp.read_multilayer_svg(str(work / "word.svg"), quantization=0.1)
    layers = [[np.c_[line.real, line.imag] for line in layer] for layer in document.layers.values()]
    side_by_side(word, render_lines(layers, document.page_size), PLUGINS / "vpype-strokebot" / "example.png")


def dxf_example(work: Path) -> None:
    import ezdxf

    digits = draw_input(work / "digits.png", "3071", "futural")
    run(BIN / "strokebot", "trace", digits.name, "--to", "dxf", "--width", "60mm", cwd=work)
    doc = ezdxf.readfile(work / "digits.dxf")
    by_layer: dict[str, list[np.ndarray]] = {}
    for entity in doc.modelspace():
        by_layer.setdefault(entity.dxf.layer, []).append(np.array(entity.get_points("xy")))
    size = tuple(doc.header["$LIMMAX"])
    layers = [by_layer[name] for name in sorted(by_layer)]
    side_by_side(digits, render_lines(layers, size, y_up=True), PLUGINS / "strokebot-dxf" / "example.png")


def inkscape_example(work: Path) -> None:
    if not (shutil.which("inkscape") and shutil.which("xvfb-run")):
        print("skipped the Inkscape example: inkscape and xvfb-run are needed", file=sys.stderr)
        return
    letters = draw_input(work / "letters.png", "Hello", "futural")
    data = "data:image/png;base64," + base64.b64encode(letters.read_bytes()).decode()
    ratio = Image.open(letters).height / Image.open(letters).width
    page = work / "page.svg"
    page.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        f'width="60mm" height="{60 * ratio:.3f}mm" viewBox="0 0 60 {60 * ratio:.3f}">'
        f'<rect width="60" height="{60 * ratio:.3f}" fill="white"/>'
        f'<image id="letters" x="0" y="0" width="60" height="{60 * ratio:.3f}" xlink:href="{data}"/></svg>'
    )
    config = work / "config"
    run("sh", PLUGINS / "inkscape" / "install.sh", config / "inkscape" / "extensions", cwd=work)
    (config / "inkscape" / "preferences.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<inkscape version="1">'
        f'<group id="extensions" python-interpreter="{shutil.which("python3", path="/usr/bin:/bin")}" '
        f'org.strokebot.trace.strokebot="{BIN / "strokebot"}" org.strokebot.trace.hide_image="true" '
        'org.strokebot.trace.refine="0" '
        'org.strokebot.trace.pen_width="0.6" /></inkscape>\n'
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(config), "XDG_CACHE_HOME": str(work / "cache")}
    actions = f"select-by-id:letters;org.strokebot.trace.noprefs;export-filename:{work / 'traced.svg'};export-do"
    run("xvfb-run", "-a", "inkscape", "-g", "--batch-process", f"--actions={actions}", page, cwd=work, env=env)
    # Inkscape renders its own result: the strokes, the bitmap hidden by the extension.
    run("inkscape", work / "traced.svg", "--export-type=png", f"--export-filename={work / 'traced.png'}",
        f"--export-height={PANEL_H}", "--export-background=white", cwd=work, env=env)
    side_by_side(letters, Image.open(work / "traced.png").convert("RGB"), PLUGINS / "inkscape" / "example.png")


def arm_example(work: Path) -> None:
    photo = PLUGINS.parent / "samples" / "word-photo.jpg"
    target = PLUGINS / "strokebot-arm" / "example.png"
    run(BIN / "strokebot", "simulate", photo, "--preview", target, cwd=work)
    print(f"wrote {target.relative_to(PLUGINS.parent)} ({target.stat().st_size // 1024} KiB)")


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="strokebot-examples-") as folder:
        for example in (vpype_example, dxf_example, inkscape_example, arm_example):
            work = Path(folder) / example.__name__
            work.mkdir()
            example(work)


if __name__ == "__main__":
    main()
