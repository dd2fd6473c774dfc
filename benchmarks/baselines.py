"""What users would trace glyphs with if not strokebot: a skeleton tracer, and potrace.

Both take an ink map (float (H, W), paper 0, ink 1; a pixel is ink above 0.5) and return polylines
in image pixels (x right, y down, pixel centres at +0.5), as :class:`numpy.ndarray` (N, 2) each. Each
polyline is one pen-down path: a plotter lifts the pen once per polyline.

* :func:`skeleton_trace` — the classic centre-line method: scikit-image ``skeletonize`` thins the ink
  to one-pixel-wide lines, then a graph walk cuts the skeleton at its ends and junctions (a cluster of
  touching junction pixels is one junction) and follows each branch from one to the other. A closed
  loop without junctions is one path; a lone pixel is a dot.
* :func:`convention_trace` — the skeleton tracer's branches drawn by the conventions of handwriting,
  no learning: branches are joined where they continue straight through a junction, each stroke is
  drawn top to bottom or left to right (whichever way it mostly runs), and strokes are drawn in the
  order of their centroids' ``y + 0.5 x``. The rule-based ordering strokebot's model must beat.
* :func:`potrace_trace` — potrace 1.16 (Debian's ``potrace`` command) on a PBM of the ink mask, its
  GeoJSON output read back. Potrace traces *outlines*: every ring of every polygon (outer boundary
  or hole) is one closed path, so a stroke comes out as the two sides of it, and counts so.
  :func:`potrace_batch` runs one potrace process for many images, so process start-up is not what
  is measured.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = ["skeleton_trace", "convention_trace", "conventional", "potrace_trace", "potrace_batch", "potrace_available", "INK"]

INK = 0.5

_OFFSETS = [(-1, -1), (-1, 0), (-1, 1), (0, -1), (0, 1), (1, -1), (1, 0), (1, 1)]


def skeleton_trace(ink: np.ndarray, *, threshold: float = INK) -> list[np.ndarray]:
    """Centre lines of ``ink``: skeletonize, then one polyline per branch of the skeleton graph."""
    from skimage.morphology import skeletonize

    skeleton = skeletonize(np.asarray(ink) > threshold)
    height, width = skeleton.shape
    ys, xs = np.nonzero(skeleton)
    count = len(ys)
    if count == 0:
        return []
    index = np.full((height + 2, width + 2), -1, np.int64)  # padded: no bounds checks
    index[ys + 1, xs + 1] = np.arange(count)
    neighbours: list[list[int]] = [[] for _ in range(count)]
    for dy, dx in _OFFSETS:
        other = index[ys + 1 + dy, xs + 1 + dx]
        for i in np.flatnonzero(other >= 0):
            neighbours[i].append(int(other[i]))
    degree = np.array([len(n) for n in neighbours])
    # Junction pixels (3+ neighbours) that touch form one junction: label them by flood fill.
    junction = np.full(count, -1)
    clusters = 0
    for start in np.flatnonzero(degree >= 3):
        if junction[start] >= 0:
            continue
        todo = [int(start)]
        junction[start] = clusters
        while todo:
            pixel = todo.pop()
            for other in neighbours[pixel]:
                if degree[other] >= 3 and junction[other] < 0:
                    junction[other] = clusters
                    todo.append(other)
        clusters += 1
    is_node = degree != 2  # ends, junction pixels and lone pixels; the rest are branch pixels
    walked = np.zeros(count, bool)  # branch pixels already on a path
    steps: set[tuple[int, int]] = set()  # (node, neighbour) steps already on a path

    def follow(previous: int, current: int) -> list[int]:
        """From the step previous -> current on along branch pixels, to a node or back to a walked pixel."""
        path = [previous, current]
        while not is_node[current] and not walked[current]:
            walked[current] = True
            previous, current = current, next(n for n in neighbours[current] if n != previous)
            path.append(current)
        return path

    paths: list[list[int]] = []
    for node in map(int, np.flatnonzero(is_node)):
        if degree[node] == 0:
            paths.append([node])  # a dot
        for first in neighbours[node]:
            if (node, first) in steps or (not is_node[first] and walked[first]):
                continue
            if junction[node] >= 0 and junction[node] == junction[first]:
                continue  # a step inside one junction is not a branch
            path = follow(node, first)
            steps.add((node, first))
            if is_node[path[-1]]:
                steps.add((path[-1], path[-2]))
            paths.append(path)
    for start in map(int, np.flatnonzero(~is_node)):  # closed loops without ends or junctions
        if not walked[start]:
            walked[start] = True
            paths.append(follow(start, neighbours[start][0]))
    centres = np.stack([xs + 0.5, ys + 0.5], axis=1).astype(np.float64)
    return [centres[p] for p in paths]


def _heading(path: np.ndarray, reach: float = 6.0) -> np.ndarray:
    """Unit direction from a path's first point towards its point ``reach`` pixels along it."""
    step = np.hypot(*np.diff(path, axis=0).T)
    along = np.concatenate([[0.0], np.cumsum(step)])
    target = path[min(int(np.searchsorted(along, reach)), len(path) - 1)]
    vector = target - path[0]
    return vector / max(float(np.hypot(*vector)), 1e-9)


def conventional(chord: np.ndarray) -> bool:
    """Whether a stroke whose ``chord`` (its last point less its first; x right, y down) is not zero
    runs the conventional way: top to bottom where it runs more down than across, else left to right."""
    dx, dy = chord
    return bool(dy >= 0 if abs(dy) > abs(dx) else dx >= 0)


def convention_trace(ink: np.ndarray, *, threshold: float = INK, straight: float = 45.0) -> list[np.ndarray]:
    """The skeleton's branches joined straight through junctions, oriented and ordered by convention.

    Two branches ending at the same junction (within 2 pixels) join when one continues the other
    within ``straight`` degrees, straightest pairs first, each branch end at most once.
    """
    paths = [p for p in skeleton_trace(ink, threshold=threshold) if len(p)]
    ends = [(k, side) for k, p in enumerate(paths) if len(p) > 1 for side in (0, 1)]
    point = {(k, s): paths[k][0 if s == 0 else -1] for k, s in ends}
    heading = {(k, s): _heading(paths[k] if s == 0 else paths[k][::-1]) for k, s in ends}
    pairs = []  # (turn angle, end a, end b): leaving through a and arriving through b
    for i, a in enumerate(ends):
        for b in ends[i + 1 :]:
            if a[0] != b[0] and np.hypot(*(point[a] - point[b])) <= 2.0:
                turn = np.degrees(np.arccos(np.clip(-heading[a] @ heading[b], -1, 1)))
                if turn <= straight:
                    pairs.append((turn, a, b))
    partner: dict[tuple[int, int], tuple[int, int]] = {}
    for _, a, b in sorted(pairs):
        if a not in partner and b not in partner:
            partner[a], partner[b] = b, a
    strokes, used = [], set()
    for k in range(len(paths)):
        if k in used:
            continue
        chain, side = [k], 0  # walk back from k's start to the first branch of its chain
        while (k, side) in partner and partner[(k, side)][0] not in chain:
            k, side = partner[(k, side)][0], 1 - partner[(k, side)][1]
            chain.insert(0, k)
        first, entry = chain[0], side  # entry: the side of the first branch the stroke leaves from
        stroke, k, side, seen = [], first, 1 - entry, set()
        while k not in seen:
            seen.add(k)
            stroke.append(paths[k] if side == 1 else paths[k][::-1])
            if (k, side) not in partner:
                break
            k, side = partner[(k, side)][0], 1 - partner[(k, side)][1]
        used |= seen
        strokes.append(np.concatenate(stroke))
    oriented = []
    for stroke in strokes:
        oriented.append(stroke if conventional(stroke[-1] - stroke[0]) else stroke[::-1])
    return sorted(oriented, key=lambda s: float(s[:, 1].mean() + 0.5 * s[:, 0].mean()))


# -- potrace ---------------------------------------------------------------------------------------


def potrace_available() -> bool:
    return shutil.which("potrace") is not None


def _pbm(mask: np.ndarray) -> bytes:
    height, width = mask.shape
    return b"P4\n%d %d\n" % (width, height) + np.packbits(mask, axis=1).tobytes()


def _read_geojson(text: str, height: int) -> list[np.ndarray]:
    """Every ring of every polygon, y flipped to image rows (potrace's y points up)."""
    paths = []
    for feature in json.loads(text)["features"]:
        geometry = feature["geometry"]
        polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
        for polygon in polygons:
            for ring in polygon:
                xy = np.asarray(ring, np.float64)
                paths.append(np.stack([xy[:, 0], height - xy[:, 1]], axis=1))
    return paths


def potrace_batch(inks: Sequence[np.ndarray], *, threshold: float = INK, options: Sequence[str] = ()) -> list[list[np.ndarray]]:
    """Outline paths of each ink map, from one ``potrace -b geojson`` run over all of them."""
    if not potrace_available():
        raise RuntimeError("potrace is not installed (Debian/Ubuntu: apt-get install potrace)")
    with tempfile.TemporaryDirectory(prefix="strokebot-potrace-") as scratch:
        folder = Path(scratch)
        names = []
        for k, ink in enumerate(inks):
            name = folder / f"{k:06d}.pbm"
            name.write_bytes(_pbm(np.asarray(ink) > threshold))
            names.append(name)
        for first in range(0, len(names), 500):  # keep the command line short
            subprocess.run(["potrace", "-b", "geojson", *options, *map(str, names[first : first + 500])], check=True, capture_output=True)
        return [_read_geojson(name.with_suffix(".json").read_text(), ink.shape[0]) for name, ink in zip(names, inks, strict=True)]


def potrace_trace(ink: np.ndarray, *, threshold: float = INK) -> list[np.ndarray]:
    """Outline paths of one ink map."""
    return potrace_batch([ink], threshold=threshold)[0]
