"""strokebot against the skeleton tracer and potrace, on the same glyphs, in one table per glyph set.

    python benchmarks/compare.py            # the full run (a few minutes)
    python benchmarks/compare.py --quick    # a small run (seconds)
    python benchmarks/compare.py --sets omniglot hershey --limit 100

Glyph sets (every method gets the same ink map: float, ink 1 on paper 0):

* ``mnist`` — the first N MNIST test digits (28×28; true strokes unknown).
* ``hershey`` — synthetic glyphs from the Hershey single-stroke fonts (28–256 px, seed 99, as
  ``strokebot evaluate``), true strokes known.
* ``omniglot`` — the first N people-drawn Omniglot glyphs (105×105), with the pen paths the people
  drew them with.
* ``scans`` — large synthetic scans: a line of 8 Hershey characters rendered 2000 px wide with a
  pen ~1/10 of a character's height and paper grain; true strokes known.

Methods: strokebot (``strokebot.trace_batch``, defaults, ``polarity="light-on-dark"``), strokebot
with ``refine=100`` when :mod:`strokebot.refine` exists (else "n/a"), the skeleton tracer and potrace
(:mod:`baselines`), and the true strokes themselves where known, as drawn.

Per glyph, then the median over the set (pen lifts also as a mean):

* glyphs/s — the whole set traced once, wall time (potrace: writing PBMs, one potrace run, reading
  its GeoJSON).
* length, pen lifts, pen-up travel — in image pixels, after the reordering ``strokebot trace --order``
  does (``Drawing.reordered()``: nearest neighbour and 2-opt from the page corner), for every
  method alike; one lift per path. The true strokes keep the order they were drawn in.
* plot time — :func:`strokebot.motion.plan` of the reordered drawing fitted to a physical width
  (20 mm per glyph; 150 mm per scan) and simplified by 0.25 mm (half a 0.5 mm pen, as the G-code
  exporter does): drawing speed 50 mm/s, travel 100 mm/s, acceleration 1000 mm/s², 0.15 s to lower
  and 0.15 s to raise the pen per stroke (:class:`strokebot.motion.Timing` defaults).
* ink IoU — the paths drawn with a round pen as wide as the ink's strokes
  (:func:`strokebot.imaging.stroke_width`) against the ink (> 0.5), the same pen for every method.
* Chamfer — symmetric mean nearest distance in pixels between the paths and the true strokes
  (:func:`strokebot.evaluate.chamfer`), where known.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import baselines  # noqa: E402
from machine import describe  # noqa: E402

GLYPH_MM = 20.0
SCAN_MM = 150.0
SIMPLIFY_MM = 0.25
REFINE_STEPS = 100


@dataclass
class GlyphSet:
    name: str
    images: list[np.ndarray]  # each (H, W) float32, ink 1
    truth: list[list[np.ndarray]] | None  # per image, the true strokes (N, 2) in its pixels
    width_mm: float = GLYPH_MM
    about: str = ""


# -- glyph sets ------------------------------------------------------------------------------------


def mnist_set(count: int) -> GlyphSet:
    from strokebot import datasets

    images, _ = datasets.mnist(split="test")
    return GlyphSet("mnist", list(images[:count]), None, about=f"first {count} MNIST test digits, 28x28")


def hershey_set(count: int) -> GlyphSet:
    from strokebot import datasets

    samples = datasets.hershey_glyphs(count, seed=99, sizes=(28, 256))
    return GlyphSet("hershey", [s.image for s in samples], [s.strokes for s in samples], about=f"{count} synthetic Hershey glyphs, 28-256 px, seed 99")


def omniglot_set(count: int) -> GlyphSet:
    from strokebot import datasets

    samples = datasets.omniglot_glyphs(count)
    return GlyphSet("omniglot", [s.image for s in samples], [s.strokes for s in samples], about=f"first {count} people-drawn Omniglot glyphs, 105x105, their pen paths")


def scan_set(count: int, *, width: int = 2000, letters: int = 8, seed: int = 5) -> GlyphSet:
    """Lines of Hershey characters rendered ``width`` pixels wide, with paper grain."""
    from strokebot import datasets

    rng = np.random.default_rng(seed)
    catalogue = [entry for entry in datasets._hershey_catalogue(["futural", "rowmans", "scripts"])]
    images, truths = [], []
    for _ in range(count):
        placed, cursor = [], 0.0
        for _ in range(letters):
            font, char, _ = catalogue[rng.integers(len(catalogue))]
            strokes = datasets._jitter(datasets._font_strokes(font, char), rng, elastic=1.0)  # unit size, centred
            low = np.min([s.min(0) for s in strokes], axis=0)
            high = np.max([s.max(0) for s in strokes], axis=0)
            placed.append([s - [low[0] - cursor, 0.0] for s in strokes])
            cursor += (high[0] - low[0]) + 0.35  # a letter's width and a gap
        allpoints = np.concatenate([p for letter in placed for p in letter])
        low, high = allpoints.min(0), allpoints.max(0)
        scale = 0.92 * width / (high[0] - low[0])
        height = int(np.ceil((high[1] - low[1]) * scale / 0.7))
        offset = np.array([0.04 * width, 0.15 * height]) - low * scale
        strokes = [s * scale + offset for letter in placed for s in letter]
        pen = 0.1 * scale  # a tenth of a character's height
        ink = datasets.render_strokes(strokes, (width, height), pen)  # anti-aliased, as optics blur
        ink = np.clip(ink + rng.normal(0, 0.04, ink.shape), 0, 1).astype(np.float32)  # paper grain
        images.append(ink)
        truths.append(strokes)
    return GlyphSet("scans", images, truths, width_mm=SCAN_MM, about=f"{count} lines of {letters} Hershey letters, {width} px wide, paper grain")


SETS: dict[str, tuple[Callable[[int], GlyphSet], int, int]] = {  # name: (maker, full count, quick count)
    "mnist": (mnist_set, 1000, 60),
    "hershey": (hershey_set, 500, 40),
    "omniglot": (omniglot_set, 400, 40),
    "scans": (scan_set, 5, 1),
}


# -- methods ---------------------------------------------------------------------------------------


def refine_available() -> bool:
    try:
        import strokebot.refine  # noqa: F401
    except ImportError:
        return False
    return True


def strokebot_paths(images: Sequence[np.ndarray], *, refine: int = 0) -> list[list[np.ndarray]]:
    import strokebot

    drawings = strokebot.trace_batch(images, polarity="light-on-dark", refine=refine)
    return [[s.xy for s in d.strokes] for d in drawings]


def skeleton_paths(images: Sequence[np.ndarray]) -> list[list[np.ndarray]]:
    return [baselines.skeleton_trace(image) for image in images]


def potrace_paths(images: Sequence[np.ndarray]) -> list[list[np.ndarray]]:
    return baselines.potrace_batch(images)


def methods() -> dict[str, Callable[[Sequence[np.ndarray]], list[list[np.ndarray]]] | str]:
    """Name: tracer, or the reason it cannot run here."""
    return {
        "strokebot": strokebot_paths,
        f"strokebot --refine {REFINE_STEPS}": (lambda images: strokebot_paths(images, refine=REFINE_STEPS)) if refine_available() else "n/a: strokebot.refine not in this build",
        "skeleton tracer": skeleton_paths,
        "potrace (outlines)": potrace_paths if baselines.potrace_available() else "n/a: potrace not installed",
    }


# -- figures ---------------------------------------------------------------------------------------


@dataclass
class Row:
    name: str
    rate: float = float("nan")  # glyphs per second
    per_glyph: dict[str, list[float]] = field(default_factory=dict)
    note: str = ""

    def median(self, key: str) -> float:
        values = self.per_glyph.get(key)
        return float(statistics.median(values)) if values else float("nan")

    def mean(self, key: str) -> float:
        values = self.per_glyph.get(key)
        return float(np.mean(values)) if values else float("nan")


def _drawing(paths: Sequence[np.ndarray], image: np.ndarray):
    from strokebot.drawing import Drawing, Stroke

    height, width = image.shape
    return Drawing([Stroke(p) for p in paths if len(p)], width=float(width), height=float(height), units="px")


def measure(glyphs: GlyphSet, paths: list[list[np.ndarray]], *, reorder: bool = True) -> dict[str, list[float]]:
    from strokebot import motion
    from strokebot.datasets import render_strokes
    from strokebot.evaluate import chamfer
    from strokebot.imaging import stroke_width

    timing = motion.Timing()
    figures: dict[str, list[float]] = {k: [] for k in ("length", "lifts", "travel", "plot", "iou", "chamfer")}
    for k, (image, drawn) in enumerate(zip(glyphs.images, paths, strict=True)):
        drawing = _drawing(drawn, image)
        if reorder:
            drawing = drawing.reordered()
        figures["length"].append(drawing.length)
        figures["lifts"].append(drawing.pen_lifts)
        figures["travel"].append(drawing.travel_length)
        on_paper = drawing.fit(width=glyphs.width_mm).simplified(SIMPLIFY_MM)
        figures["plot"].append(motion.plan(on_paper, timing).duration)
        ink = image > baselines.INK
        height, width = image.shape
        pen = stroke_width(image)
        drawn_ink = render_strokes([s.xy for s in drawing.strokes], (width, height), pen) > 0.5
        union = np.count_nonzero(drawn_ink | ink)
        figures["iou"].append(np.count_nonzero(drawn_ink & ink) / union if union else 1.0)
        if glyphs.truth is not None:
            figures["chamfer"].append(min(chamfer([s.xy for s in drawing.strokes], glyphs.truth[k]), 1e3))
    return figures


def compare(glyphs: GlyphSet) -> list[Row]:
    rows = []
    for name, tracer in methods().items():
        if isinstance(tracer, str):
            rows.append(Row(name, note=tracer))
            continue
        tracer(glyphs.images[:1])  # untimed: imports, model loading
        start = time.perf_counter()
        paths = tracer(glyphs.images)
        seconds = time.perf_counter() - start
        rows.append(Row(name, len(glyphs.images) / seconds, measure(glyphs, paths)))
    if glyphs.truth is not None:
        rows.append(Row("true strokes, as drawn", per_glyph=measure(glyphs, glyphs.truth, reorder=False)))
    return rows


# -- the table -------------------------------------------------------------------------------------

COLUMNS = [  # header, key, how, format
    ("glyphs/s", None, None, "{:,.0f}"),
    ("length px", "length", "median", "{:.0f}"),
    ("lifts", "lifts", "median", "{:.0f}"),
    ("lifts mean", "lifts", "mean", "{:.1f}"),
    ("travel px", "travel", "median", "{:.0f}"),
    ("plot s", "plot", "median", "{:.2f}"),
    ("ink IoU", "iou", "median", "{:.2f}"),
    ("Chamfer px", "chamfer", "median", "{:.2f}"),
]


def _cell(row: Row, key: str | None, how: str | None, form: str) -> str:
    value = row.rate if key is None else getattr(row, how)(key)
    return "n/a" if value != value else form.format(value)


def table(glyphs: GlyphSet, rows: list[Row]) -> str:
    lines = [f"{glyphs.name}: {glyphs.about}"]
    lines.append(f"  {'method':<26}" + "".join(f"{h:>12}" for h, *_ in COLUMNS))
    for row in rows:
        if row.note:
            lines.append(f"  {row.name:<26}  {row.note}")
            continue
        lines.append(f"  {row.name:<26}" + "".join(f"{_cell(row, *c[1:]):>12}" for c in COLUMNS))
    lines.extend("  " + line for line in verdict(rows, glyphs.truth is not None))
    return "\n".join(lines)


def verdict(rows: list[Row], has_truth: bool) -> list[str]:
    """Each strokebot row against the skeleton tracer, figure by figure (medians), as measured."""
    by_name = {r.name: r for r in rows if not r.note}
    theirs = by_name.get("skeleton tracer")
    if theirs is None:
        return []
    checks = [("pen lifts", "lifts", False), ("pen-up travel", "travel", False), ("plot time", "plot", False), ("ink IoU", "iou", True)]
    if has_truth:
        checks.append(("Chamfer", "chamfer", False))
    lines = []
    for ours in (r for name, r in by_name.items() if name.startswith("strokebot")):
        parts = []
        for label, key, higher_is_better in checks:
            a, b = ours.median(key), theirs.median(key)
            outcome = "same" if abs(a - b) < 1e-9 else "better" if (a > b) == higher_is_better else "WORSE"
            parts.append(f"{label} {a:.3g} vs {b:.3g} ({outcome})")
        lines.append(f"{ours.name} vs skeleton tracer: " + ", ".join(parts))
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sets", nargs="+", choices=sorted(SETS), default=list(SETS))
    parser.add_argument("--limit", type=int, help="glyphs per set (default: 1000 MNIST, 500 Hershey, 400 Omniglot, 5 scans; --quick: 60, 40, 40, 1)")
    parser.add_argument("--quick", action="store_true", help="a few dozen glyphs per set, one scan")
    args = parser.parse_args(argv)
    import strokebot

    model = strokebot.load_model()
    print("python benchmarks/compare.py " + " ".join(shlex.quote(a) for a in (argv if argv is not None else sys.argv[1:])))
    print(f"machine: {describe()}")
    print(f"model: {model.name} ({model.file.path.name if model.file.path else 'in memory'}); potrace: {'1.16 CLI' if baselines.potrace_available() else 'missing'}")
    print(f"plot time: {GLYPH_MM:g} mm per glyph, {SCAN_MM:g} mm per scan, simplified {SIMPLIFY_MM} mm, 50 mm/s drawing, 100 mm/s travel, 1000 mm/s^2, 0.15 s pen down + 0.15 s up per stroke")
    for name in args.sets:
        maker, full, quick = SETS[name]
        count = quick if args.quick else full
        if args.limit:
            count = min(args.limit, count) if name == "scans" else args.limit  # scans are big: never more
        glyphs = maker(count)
        print()
        print(table(glyphs, compare(glyphs)))


if __name__ == "__main__":
    main()
