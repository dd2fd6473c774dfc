#!/usr/bin/env python3
"""Inkscape extension: Extensions ▸ strokebot ▸ Trace glyphs to strokes.

Traces the selected bitmaps (embedded as data: URIs or linked files; with nothing selected, every
bitmap in the document) into centreline strokes with strokebot, and puts them as paths on a new
layer, exactly over each bitmap.

Inkscape runs this file with its own Python, which has inkex but rarely strokebot and its
numerical stack; and the Python that has strokebot (a venv, pipx, conda) may be another version.
So the tracing runs in a separate process: strokebot_strokes.py, beside this file, under the
Python that has strokebot, found from the dialog's "strokebot" field (the strokebot command or a
Python), else STROKEBOT_PYTHON, else a strokebot command on PATH or in a usual venv, else this
Python. That process prints the strokes, already placed in the document's user units, as JSON.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

import inkex
from lxml import etree

HERE = Path(__file__).resolve().parent
HELPER = HERE / "strokebot_strokes.py"
NAMESPACE = "urn:strokebot:svg:1"  # per-point pressure and intensity attributes
NO_STROKEBOT = 3  # strokebot_strokes.py's exit code when strokebot is not importable

#: Where strokebot is usually installed, besides PATH (Inkscape started from a desktop menu often
#: does not see a shell's PATH).
USUAL_PLACES = (
    "~/.local/bin/strokebot",
    "~/.local/share/pipx/venvs/strokebot",
    "~/.local/pipx/venvs/strokebot",
    "~/.venvs/strokebot",
    "~/venvs/strokebot",
    "~/.virtualenvs/strokebot",
    "~/strokebot/.venv",
)

_SUFFIXES = {"image/png": ".png", "image/jpeg": ".jpg", "image/jpg": ".jpg", "image/bmp": ".bmp", "image/gif": ".gif",
             "image/tiff": ".tif", "image/webp": ".webp"}


def python_of(path: Path) -> Path | None:
    """The Python interpreter behind ``path``: itself, a venv's bin/ folder or root, or a script's ``#!``."""
    path = path.expanduser()
    if path.is_dir():  # a venv's root
        for candidate in (path / "bin" / "python", path / "Scripts" / "python.exe"):
            if candidate.is_file():
                return candidate
        return None
    if not path.is_file():
        return None
    if path.name.lower().startswith("python"):
        return path
    real = path.resolve()  # pipx links ~/.local/bin/strokebot into its venv
    for name in ("python", "python3", "python.exe"):
        sibling = real.with_name(name)
        if sibling.is_file():
            return sibling
    try:
        head = real.read_bytes()[:512].decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    if head and head[0].startswith("#!"):
        shebang = head[0][2:].strip()
        if shebang.endswith("/sh") and len(head) > 1:
            # pip's launcher for long paths: '''exec' "/path/to/python" "$0" "$@"
            quoted = re.search(r"exec'\s+\"?([^\"\s]+)", head[1])
            shebang = quoted.group(1) if quoted else ""
        if shebang and Path(shebang.split()[0]).is_file():
            return Path(shebang.split()[0])
    return None


def candidate_pythons(setting: str) -> list[Path]:
    """Interpreters that may have strokebot, in the order they are tried."""
    if setting.strip():
        found = python_of(Path(setting.strip()))
        if found is None:
            raise inkex.AbortExtension(
                f"strokebot: {setting} is neither the strokebot command, a Python, nor a venv folder."
            )
        return [found]
    places = [os.environ.get("STROKEBOT_PYTHON", ""), shutil.which("strokebot") or "", *USUAL_PLACES]
    found = [python_of(Path(p)) for p in places if p]
    found.append(Path(sys.executable))
    unique: list[Path] = []
    for python in found:
        if python is not None and python not in unique:
            unique.append(python)
    return unique


def trace_with_strokebot(pythons: list[Path], arguments: list[str]) -> dict:
    """Run strokebot_strokes.py with the first of ``pythons`` that has strokebot."""
    for python in pythons:
        done = subprocess.run(
            [str(python), str(HELPER), *arguments], capture_output=True, text=True, check=False,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),  # no console flashing up on Windows
        )
        if done.returncode == NO_STROKEBOT:
            continue
        if done.returncode != 0:
            message = done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"]
            raise inkex.AbortExtension(f"{message[0]}\n(ran {python})")
        return json.loads(done.stdout)
    tried = "\n  ".join(str(p) for p in pythons)
    raise inkex.AbortExtension(
        "strokebot was not found. Install it (pip install strokebot) and give the path of the "
        "strokebot command in this dialog's \"strokebot\" tab.\nTried:\n  " + tried
    )


class TraceGlyphs(inkex.EffectExtension):
    """Trace bitmaps of glyphs into plotter strokes on a new layer."""

    def add_arguments(self, pars):
        pars.add_argument("--tab", default="trace")
        pars.add_argument("--pen_width", type=float, default=0.5, help="pen width, mm")
        pars.add_argument("--order", default="traced", help="traced: as a person draws them; travel: cut pen-up travel")
        pars.add_argument("--layers", default="one", help="one: one layer; glyph: a sublayer per glyph")
        pars.add_argument("--simplify", type=float, default=0.05, help="tolerance, mm (0: off)")
        pars.add_argument("--hide_image", type=inkex.Boolean, default=False)
        pars.add_argument("--polarity", default="auto")
        pars.add_argument("--split", type=inkex.Boolean, default=True)
        pars.add_argument("--refine", type=int, default=0)
        pars.add_argument("--strokebot", default="", help="strokebot command, a Python with strokebot, or a venv")
        pars.add_argument("--model", default="")

    def effect(self):
        images = list(self.svg.selection.filter(inkex.Image).values()) if self.svg.selection else []
        if not images:
            if self.svg.selection:
                raise inkex.AbortExtension("strokebot: select a bitmap (an embedded or linked image) to trace.")
            images = list(self.svg.xpath("//svg:image"))
        if not images:
            raise inkex.AbortExtension("strokebot: this document has no bitmap to trace.")
        pythons = candidate_pythons(self.options.strokebot)
        mm = self.user_units_per_mm()
        inkex.NSS["strokebot"] = NAMESPACE
        etree.register_namespace("strokebot", NAMESPACE)  # written as xmlns:strokebot, not ns0
        with tempfile.TemporaryDirectory(prefix="strokebot-") as folder:
            for index, image in enumerate(images):
                source = self.image_file(image, Path(folder), index)
                traced = trace_with_strokebot(pythons, self.helper_arguments(image, source, mm))
                self.add_layer(image, traced, mm)
                if self.options.hide_image:
                    image.style["display"] = "none"

    # -- the bitmap ---------------------------------------------------------------------------

    def image_file(self, image, folder: Path, index: int) -> Path:
        """The bitmap of ``image`` as a file: a data: URI decoded into ``folder``, or the linked file."""
        href = (image.get("xlink:href") or image.get("href") or "").strip()
        label = image.get("id") or "the image"
        if href.startswith("data:"):
            header, _, payload = href[5:].partition(",")
            mime = header.split(";")[0].strip().lower()
            try:
                data = base64.b64decode(re.sub(r"\s+", "", payload)) if ";base64" in header else \
                    urllib.parse.unquote_to_bytes(payload)
            except (binascii.Error, ValueError) as error:
                raise inkex.AbortExtension(f"strokebot: {label}: the embedded bitmap cannot be decoded ({error})") from None
            path = folder / f"bitmap-{index}{_SUFFIXES.get(mime, '.png')}"
            path.write_bytes(data)
            return path
        if href.startswith("file:"):
            href = urllib.request.url2pathname(urllib.parse.urlparse(href).path)
        candidates = []
        if href:
            # Inkscape hands the extension a temporary copy and rebases relative links onto the
            # copy's folder; a document run by hand has them relative to its own folder.
            if isinstance(self.options.input_file, str) and not os.path.isabs(href):
                candidates.append(os.path.join(os.path.dirname(os.path.abspath(self.options.input_file)), href))
            candidates.append(self.absolute_href(href))
        if image.get("sodipodi:absref"):
            candidates.append(image.get("sodipodi:absref"))
        for candidate in candidates:
            if os.path.isfile(candidate):
                return Path(candidate)
        raise inkex.AbortExtension(f"strokebot: {label}: the linked bitmap {href or '(none)'} was not found.")

    def helper_arguments(self, image, source: Path, mm: float) -> list[str]:
        o = self.options
        (a, c, e), (b, d, f) = image.composed_transform().matrix
        arguments = [
            str(source),
            "--box", *(repr(float(v)) for v in (image.left, image.top, image.width, image.height)),
            "--aspect", image.get("preserveAspectRatio") or "xMidYMid meet",
            "--transform", *(repr(float(v)) for v in (a, c, e, b, d, f)),
            "--simplify", repr(max(o.simplify, 0.0) * mm),
            "--polarity", o.polarity,
            "--refine", str(max(o.refine, 0)),
        ]
        if o.order == "travel":
            arguments.append("--order")
        if not o.split:
            arguments.append("--no-split")
        if o.model.strip():
            arguments += ["--model", o.model.strip()]
        return arguments

    # -- the strokes --------------------------------------------------------------------------

    def user_units_per_mm(self) -> float:
        """How many user units make a millimetre on the page."""
        if hasattr(self.svg, "viewport_to_unit"):  # inkex 1.2+
            return float(self.svg.viewport_to_unit("1mm"))
        return float(self.svg.unittouu("1mm"))

    def add_layer(self, image, traced: dict, mm: float) -> None:
        name = image.get("inkscape:label") or image.get("id") or "bitmap"
        layer = self.svg.add(inkex.Layer.new(f"strokebot {name}"))
        layer.set("id", self.svg.get_unique_id("strokebot"))
        layer.set("strokebot:model", traced.get("model") or "")
        style = {
            "fill": "none",
            "stroke": "#000000",
            "stroke-width": f"{self.options.pen_width * mm:.6g}",
            "stroke-linecap": "round",
            "stroke-linejoin": "round",
        }
        glyph_layers: dict[int, inkex.Layer] = {}
        if self.options.layers == "glyph":
            for glyph in sorted({stroke["glyph"] for stroke in traced["strokes"]}):
                glyph_layers[glyph] = layer.add(inkex.Layer.new(f"glyph {glyph + 1}"))
                glyph_layers[glyph].set("id", self.svg.get_unique_id("strokebot-glyph"))
        for stroke in traced["strokes"]:
            parent = glyph_layers.get(stroke["glyph"], layer)
            points = stroke["points"]
            if len(points) == 1:  # a dot: a zero-length segment shows with round caps
                points = points * 2
            path = parent.add(inkex.PathElement())
            path.set("id", self.svg.get_unique_id("stroke"))
            path.set("d", "M " + " L ".join(f"{x:.4f},{y:.4f}" for x, y, _, _ in points))
            path.style = inkex.Style(style)
            path.set("strokebot:glyph", str(stroke["glyph"] + 1))
            path.set("strokebot:pressure", " ".join(f"{p:.3f}" for _, _, p, _ in points))
            path.set("strokebot:intensity", " ".join(f"{i:.3f}" for _, _, _, i in points))


if __name__ == "__main__":
    TraceGlyphs().run()
