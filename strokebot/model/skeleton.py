"""Ink to a stroke graph: the centre lines of the ink as branches between ends and junctions.

numpy only (tracing must start fast). The ink is thinned to one-pixel centre lines
(:func:`strokebot.metrics.skeleton`), staircase pixels are removed so that every pixel of a line has
two neighbours, and the skeleton is cut into **branches** at its **nodes**: line ends, and junctions
(touching pixels with three or more neighbours count as one). Then the graph is cleaned the way the
ink was made, by a round pen:

* **specks** — small holes in a stroke (chalk, a dry pen) are filled before thinning;
* **spurs** — short branches from a junction to a line end, no longer than the ink is wide where they
  leave the line — are marked: thinning grows them from the corners of a thick line and from blunt
  line ends, but a pen also makes them where a stroke overshoots another (the corners of 口). Whether
  a spur continues a stroke or is left undrawn is for the stroke model to decide;
* **junctions that are one crossing** — two junctions closer than the ink's width, as thinning
  splits an X into two T's — are merged into one node;
* **the rim of a hole at a junction** — a loop that never leaves the junction's ink (bare chalk
  where lines cross) — is dropped: no pen draws it;
* a node left with two branches is no node: the two branches become one;
* **the fork of a thick pen's sharp corner** — where a pen turns sharply (a V, a zigzag's tip),
  thinning meets the two sides at a junction inside the turn and runs a short spur on to where the
  pen turned; the spur is folded away and the sides led to its tip, so the corner is where a thin
  pen's would be (:func:`fold_corner_forks`). Where the sides are only a few degrees apart the fork
  is several pen widths long, longer than a spur, and is folded when the ink between the sides is
  solid from its tip (a narrow V, a zigzag whose valleys the pen has filled);
* a line that turns sharply (a corner, where one stroke may end and the next begin) is cut there by a
  **corner** node of two branches; a loop on a junction (the loop of a joined-up l or e) stays
  joined there, a loop alone (an o) starts and ends at its first corner;
* **a corner's tip** — thinning erodes a thick line's corner from outside, so the corner node ends
  short of where the pen turned (and to one side, where a right angle thins to a short flat run):
  it is moved out to where a round pen's centre turned, by the ink ahead of it
  (:func:`reach_corner_tips`).

Each branch keeps, per point, the radius of the ink around it (the distance to the nearest paper
pixel), which becomes the stroke's pressure. Coordinates are image pixels, pixel centres at +0.5.

>>> ink = np.zeros((20, 30), np.float32); ink[8:12, 3:27] = 1; ink[3:17, 13:17] = 1  # a plus sign
>>> graph = stroke_graph(ink)
>>> len(graph.nodes), len(graph.branches), sorted(graph.degree(n) for n in range(len(graph.nodes)))
(5, 4, [1, 1, 1, 1, 4])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from strokebot.metrics import INK_THRESHOLD, skeleton

__all__ = ["Branch", "StrokeGraph", "stroke_graph", "ink_radius", "thin_skeleton"]


@dataclass
class Branch:
    """A centre line from node ``a`` to node ``b`` (``a == b`` for a loop), nodes' positions included."""

    points: np.ndarray  # (N, 2) x, y
    radius: np.ndarray  # (N,) half the ink's width at each point
    a: int
    b: int
    spur: bool = False

    @property
    def length(self) -> float:
        return float(np.hypot(*np.diff(self.points, axis=0).T).sum()) if len(self.points) > 1 else 0.0

    def reversed(self) -> Branch:
        return Branch(self.points[::-1].copy(), self.radius[::-1].copy(), self.b, self.a, self.spur)


@dataclass
class StrokeGraph:
    """Nodes (line ends, junctions) and the branches between them."""

    nodes: np.ndarray  # (V, 2) x, y
    node_radius: np.ndarray  # (V,)
    branches: list[Branch] = field(default_factory=list)
    ink: np.ndarray | None = None  # the ink it was found in, (H, W)

    def degree(self, node: int) -> int:
        """How many branch ends meet at ``node`` (a loop counts twice)."""
        return sum((b.a == node) + (b.b == node) for b in self.branches)

    def degrees(self) -> np.ndarray:
        """:meth:`degree` of every node, as an array."""
        return np.bincount([n for b in self.branches for n in (b.a, b.b)], minlength=len(self.nodes))

    def ends_at(self, node: int) -> list[tuple[int, int]]:
        """The branch ends at ``node``: (branch, side), side 0 its start, 1 its end."""
        return [(k, side) for k, b in enumerate(self.branches) for side, n in ((0, b.a), (1, b.b)) if n == node]


# -- thinning --------------------------------------------------------------------------------------

#: Neighbours as (dy, dx), clockwise from north; bit k of a pixel's code is neighbour k.
_RING = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


def _neighbour_codes(mask: np.ndarray) -> np.ndarray:
    """Per pixel, an 8-bit code of which of its 8 neighbours are set."""
    padded = np.pad(mask, 1).astype(np.uint8)
    height, width = mask.shape
    code = np.zeros((height, width), np.uint8)
    for bit, (dy, dx) in enumerate(_RING):
        code |= padded[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width] << bit
    return code


def _staircase_table() -> np.ndarray:
    """For each neighbourhood code: is the pixel a redundant corner of a staircase?

    It is when two of its neighbours across a right angle (north and east, say) are set, and its
    neighbours stay connected to each other without it, so removing it cuts nothing and ends nothing.
    """
    table = np.zeros(256, bool)
    for code in range(256):
        on = [(code >> k) & 1 for k in range(8)]
        if sum(on) < 2:
            continue
        corner = any(on[k] and on[(k + 2) % 8] for k in (0, 2, 4, 6))
        # Neighbours are adjacent when next to each other on the ring, or two apart around a corner
        # of the ring (north and east touch diagonally; north-east and south-east do not).
        members = [k for k in range(8) if on[k]]
        seen, todo = {members[0]}, [members[0]]
        while todo:
            k = todo.pop()
            for j in members:
                apart = (j - k) % 8
                if j not in seen and (apart in (1, 7) or (apart in (2, 6) and k % 2 == 0)):
                    seen.add(j)
                    todo.append(j)
        table[code] = corner and len(seen) == len(members)
    return table


_STAIRCASE = _staircase_table()


def thin_skeleton(ink: np.ndarray, *, threshold: float = INK_THRESHOLD) -> np.ndarray:
    """The Zhang–Suen skeleton of ``ink`` with staircase corners removed: boolean (H, W).

    Every pixel of a line then has exactly two 8-neighbours, so only ends and real junctions are
    nodes. Corners are removed on one checkerboard colour, then the other, so that two touching
    corners are never removed together.
    """
    inky = np.asarray(ink) > threshold
    mask = skeleton(ink, threshold=threshold)
    _keep_small_marks(mask, inky)
    if _lost_ink(inky, mask):  # a thick diagonal worn away: thin again, keeping diagonals
        mask = skeleton(ink, threshold=threshold, keep_diagonals=True)
        _keep_small_marks(mask, inky)
    parity = np.add.outer(np.arange(mask.shape[0]), np.arange(mask.shape[1])) % 2
    for colour in (0, 1, 0, 1):
        remove = mask & (parity == colour) & _STAIRCASE[_neighbour_codes(mask)]
        if not remove.any():
            continue
        mask &= ~remove
    return mask


def _lost_ink(inky: np.ndarray, mask: np.ndarray) -> bool:
    """Whether thinning lost part of the ink (``inky``, boolean): more than 1 % of it (and 4 pixels)
    lies farther from every centre-line pixel than a line's width plus two pixels, in x or y (a
    line's end lies about one width from where its centre line stops)."""
    count = int(np.count_nonzero(inky))
    if count == 0:
        return False
    edges = np.count_nonzero(inky[1:] != inky[:-1]) + np.count_nonzero(inky[:, 1:] != inky[:, :-1])
    reach = int(np.ceil(2.0 * count / max(edges, 1) + 2.0))  # the line's width (twice area over edge), + 2
    return int(np.count_nonzero(inky & ~_grown(mask, reach))) > max(4, 0.01 * count)


def _grown(mask: np.ndarray, reach: int) -> np.ndarray:
    """``mask`` grown by ``reach`` pixels: every pixel within that many in x and in y of a set one."""
    height, width = mask.shape
    padded = np.pad(mask, reach)
    rows = np.zeros((height, width + 2 * reach), bool)
    for shift in range(2 * reach + 1):
        rows |= padded[shift : shift + height]
    grown = np.zeros((height, width), bool)
    for shift in range(2 * reach + 1):
        grown |= rows[:, shift : shift + width]
    return grown


def ink_width(ink: np.ndarray, points: np.ndarray, reach: np.ndarray, *, step: float = 0.5) -> np.ndarray:
    """The ink's width across a centre line at each of its points (N, 2): (N,) pixels.

    The ink is integrated along the line's normal, ``reach`` pixels (N,) to either side, sampled
    every ``step`` pixels with bilinear interpolation: anti-aliased or blurred edges count by how
    much ink they hold, so the width is the one a line drawing that ink at full strength needs.
    """
    if len(points) < 2:
        return np.full(len(points), 1.0)
    _, _, _, values = _across(ink, points, reach, step)
    return np.clip(values.sum(axis=1) * step, 0.0, None)


def _across(ink: np.ndarray, points: np.ndarray, reach: np.ndarray, step: float) -> tuple[np.ndarray, ...]:
    """The ink across a line (N >= 2 points): its normals (N, 2), the offsets along them (K,), which
    lie within each point's ``reach`` (N, K), and the ink there, bilinear, 0 outside the reach (N, K)."""
    tangent = np.gradient(points, axis=0)
    tangent /= np.maximum(np.hypot(*tangent.T), 1e-9)[:, None]
    normal = np.stack([-tangent[:, 1], tangent[:, 0]], axis=1)
    most = float(reach.max())
    offsets = np.arange(-most, most + step / 2, step)
    inside = np.abs(offsets)[None, :] <= reach[:, None]
    values = _ink_at(np.asarray(ink, np.float32), points[:, None, :] + offsets[None, :, None] * normal[:, None, :])
    return normal, offsets, inside, values * inside


def ink_centre(
    ink: np.ndarray, points: np.ndarray, reach: np.ndarray, *, widest: np.ndarray | None = None, step: float = 0.25
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The middle of the ink across a line at each of its points (N, 2).

    The ink is sampled along the line's normal, ``reach`` pixels (N,) to either side, as
    :func:`ink_width` does, and its centre of mass taken: (N, 2) points, (N,) whether the
    cross-section is the line's alone — paper at both ends of it, so no other stroke pulls the
    centre its way, and no wider than ``widest`` (N,) pixels where given, so not a band of two
    strokes run together or a blot — and (N,) the ink's width there, as :func:`ink_width` reads it.
    """
    if len(points) < 2:
        return np.array(points, np.float64), np.zeros(len(points), bool), np.full(len(points), 1.0)
    normal, offsets, inside, values = _across(ink, points, reach, step)
    mass = values.sum(axis=1)
    centre = (values * offsets[None, :]).sum(axis=1) / np.maximum(mass, 1e-9)
    first, last = inside.argmax(axis=1), len(offsets) - 1 - inside[:, ::-1].argmax(axis=1)
    rows = np.arange(len(points))
    alone = (values[rows, first] < 0.25) & (values[rows, last] < 0.25) & (mass > 0)
    width = mass * step
    if widest is not None:
        alone &= width <= widest
    return points + centre[:, None] * normal, alone, width


def _ink_at(ink: np.ndarray, xy: np.ndarray) -> np.ndarray:
    """The ink at points ``xy`` (..., 2) of the image, interpolated bilinearly between pixel
    centres (at +0.5); outside the image is paper."""
    xy = xy - 0.5
    height, width = ink.shape
    x0, y0 = np.floor(xy[..., 0]).astype(np.int64), np.floor(xy[..., 1]).astype(np.int64)
    fx, fy = xy[..., 0] - x0, xy[..., 1] - y0
    flat = ink.ravel()

    def at(y: np.ndarray, x: np.ndarray) -> np.ndarray:
        # Paper (0) off the image, without padding a copy of it for every call.
        inside = (y >= 0) & (y < height) & (x >= 0) & (x < width)
        return np.where(inside, flat[np.where(inside, y * width + x, 0)], np.float32(0.0))

    return (at(y0, x0) * (1 - fx) * (1 - fy) + at(y0, x0 + 1) * fx * (1 - fy)
            + at(y0 + 1, x0) * (1 - fx) * fy + at(y0 + 1, x0 + 1) * fx * fy)  # fmt: skip


def fill_specks(ink: np.ndarray, *, threshold: float = INK_THRESHOLD, share: float = 0.5) -> np.ndarray:
    """``ink`` with the small holes in its strokes filled: bare spots of chalk, a dry pen, paper grain.

    A hole (paper the ink surrounds) smaller than ``share`` × the squared stroke width is filled;
    thinning would otherwise draw a ring around each one. A letter's counter (the inside of an o) is
    far larger than that and stays.
    """
    from strokebot.imaging import label_components, stroke_width

    paper = ~(ink > threshold)
    labels, count = label_components(paper)
    if count < 2:
        return ink
    sizes = np.bincount(labels.ravel(), minlength=count + 1)
    border = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    small = sizes <= share * stroke_width(ink) ** 2
    small[0] = False
    small[border] = False
    if not small.any():
        return ink
    filled = ink.copy()
    filled[small[labels]] = 1.0
    return filled


def _keep_small_marks(skeleton_mask: np.ndarray, ink_mask: np.ndarray) -> None:
    """A mark that thinning erased whole (a dot of 2 × 2 pixels) keeps its middle pixel."""
    from strokebot.imaging import label_components

    labels, count = label_components(ink_mask)
    if count == 0:
        return
    kept = np.zeros(count + 1, bool)
    kept[labels[skeleton_mask]] = True
    for label in np.flatnonzero(~kept[1:]) + 1:
        rows, cols = np.nonzero(labels == label)
        k = int(np.argmin((rows - rows.mean()) ** 2 + (cols - cols.mean()) ** 2))
        skeleton_mask[rows[k], cols[k]] = True


def ink_radius(ink: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, threshold: float = INK_THRESHOLD) -> np.ndarray:
    """Distance from each pixel (rows, cols) to the nearest paper pixel, in pixels: (N,).

    Exact Euclidean distance between pixel centres. Per column, the distance to the nearest paper
    pixel above or below is found in two cumulative passes; then each queried pixel takes the
    minimum over its row of ``dx² + column distance²``.
    """
    paper = ~(np.asarray(ink) > threshold)
    height, width = paper.shape
    paper = np.pad(paper, 1, constant_values=True)  # the page's edge counts as paper
    index = np.arange(height + 2)[:, None]
    above = np.maximum.accumulate(np.where(paper, index, -1), axis=0)
    below = np.minimum.accumulate(np.where(paper, index, height + 2)[::-1], axis=0)[::-1]
    vertical = np.minimum(index - above, below - index).astype(np.float64)  # (H+2, W+2)
    if len(rows) == 0:
        return np.zeros(0)
    radius = np.empty(len(rows))
    columns = np.arange(width + 2)
    for start in range(0, len(rows), 256):  # bounded memory on large pages
        r, c = rows[start : start + 256] + 1, cols[start : start + 256] + 1
        reach = (columns[None, :] - c[:, None]) ** 2 + vertical[r] ** 2  # (n, W+2)
        radius[start : start + 256] = np.sqrt(reach.min(axis=1))
    return radius - 0.5  # from a pixel centre to the edge of the nearest paper pixel, not its centre


# -- the graph -------------------------------------------------------------------------------------


def _pixel_graph(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    """Skeleton pixels (rows, cols) and each one's neighbour indices."""
    rows, cols = np.nonzero(mask)
    height, width = mask.shape
    index = np.full((height + 2, width + 2), -1, np.int64)
    index[rows + 1, cols + 1] = np.arange(len(rows))
    neighbours: list[list[int]] = [[] for _ in range(len(rows))]
    for dy, dx in _RING:
        other = index[rows + 1 + dy, cols + 1 + dx]
        for i in np.flatnonzero(other >= 0).tolist():
            neighbours[i].append(int(other[i]))
    return rows, cols, neighbours


def _raw_graph(mask: np.ndarray, ink: np.ndarray) -> StrokeGraph:
    """Branches of the skeleton between its ends and junctions, before any cleaning."""
    rows, cols, neighbours = _pixel_graph(mask)
    count = len(rows)
    xy = np.stack([cols + 0.5, rows + 0.5], axis=1).astype(np.float64)
    radius = ink_radius(ink, rows, cols)
    degree = np.array([len(n) for n in neighbours], np.int64)
    node_of = np.full(count, -1, np.int64)  # pixel -> node
    node_pixels: list[list[int]] = []
    for start in np.flatnonzero(degree != 2).tolist():
        if node_of[start] >= 0:
            continue
        node_of[start] = len(node_pixels)
        members, todo = [start], [start]
        while todo and degree[start] >= 3:  # touching junction pixels are one junction
            pixel = todo.pop()
            for other in neighbours[pixel]:
                if degree[other] >= 3 and node_of[other] < 0:
                    node_of[other] = node_of[start]
                    members.append(other)
                    todo.append(other)
        node_pixels.append(members)
    walked = np.zeros(count, bool)
    branches: list[Branch] = []

    def follow(previous: int, current: int) -> list[int]:
        """Pixels from ``current`` (coming from ``previous``) along the line up to the next node."""
        path = [current]
        while node_of[current] < 0 and not walked[current]:
            walked[current] = True
            onward = [n for n in neighbours[current] if n != previous]
            if not onward:
                break
            previous, current = current, onward[0]
            path.append(current)
        return path

    for node, members in enumerate(node_pixels):
        if len(members) == 1 and degree[members[0]] == 0:
            branches.append(_branch(xy, radius, [], node, node))  # a dot
        for pixel in members:
            for first in neighbours[pixel]:
                if node_of[first] == node or (node_of[first] < 0 and walked[first]):
                    continue  # a step inside the junction, or a line already followed from its other end
                if 0 <= node_of[first] < node:
                    continue  # two nodes side by side: that branch was taken from the other one
                path = follow(pixel, first)
                end = int(node_of[path[-1]])
                branches.append(_branch(xy, radius, [p for p in path if node_of[p] < 0], node, end if end >= 0 else node))
    for start in np.flatnonzero(~walked & (node_of < 0)).tolist():  # closed loops without nodes
        if walked[start]:
            continue
        node_of[start] = len(node_pixels)
        node_pixels.append([start])
        path = follow(start, neighbours[start][0])
        branches.append(_branch(xy, radius, [p for p in path if node_of[p] < 0], int(node_of[start]), int(node_of[start])))
    nodes = np.array([xy[m].mean(axis=0) for m in node_pixels]).reshape(-1, 2)
    node_radius = np.array([radius[m].max() for m in node_pixels]) if node_pixels else np.zeros(0)
    graph = StrokeGraph(nodes, node_radius, [])
    for branch in branches:  # node positions at both ends, so branches meet where their node is
        if branch.a == branch.b and len(branch.points) == 0:  # a dot
            graph.branches.append(Branch(nodes[branch.a][None].copy(), node_radius[branch.a : branch.a + 1].copy(), branch.a, branch.b))
            continue
        points = np.vstack([nodes[branch.a], branch.points, nodes[branch.b]])
        radii = np.concatenate([[node_radius[branch.a]], branch.radius, [node_radius[branch.b]]])
        graph.branches.append(Branch(points, radii, branch.a, branch.b))
    return graph


def _branch(xy: np.ndarray, radius: np.ndarray, pixels: list[int], a: int, b: int) -> Branch:
    return Branch(xy[pixels].reshape(-1, 2), radius[pixels], a, b)


def stroke_graph(ink: np.ndarray, *, threshold: float = INK_THRESHOLD, spur: float = 1.2, corner: float = 40.0) -> StrokeGraph:
    """The cleaned stroke graph of an ink map (see the module's docstring).

    Args:
        ink: float (H, W), paper 0, ink 1.
        threshold: a pixel is ink above this.
        spur: a branch from a junction to a line end is a spur when it is at most ``spur`` times
            the ink's radius at the junction, plus one pixel, long.
        corner: a line turning by more than this many degrees is cut there (:func:`split_corners`).
    """
    ink = fill_specks(np.asarray(ink, np.float32), threshold=threshold)
    graph = split_corners(fold_corner_forks(clean(_raw_graph(thin_skeleton(ink, threshold=threshold), ink), spur=spur), ink=ink), angle=corner)
    graph.ink = ink
    return reach_corner_tips(graph)


def clean(graph: StrokeGraph, *, spur: float = 1.2) -> StrokeGraph:
    """Spurs marked, crossings merged, holes' rims dropped, pass-through nodes dissolved (see the
    module's docstring)."""
    changed = True
    while changed:
        _mark_spurs(graph, spur)
        changed = _merge_close_junctions(graph) or _drop_hole_rims(graph) or _dissolve_pass_through(graph)
    return _compact(graph)


#: A spur within this many degrees of the outer bisector of two branches is the fork of a thick
#: pen's corner, when the two leave its junction less than :data:`FORK_OPENING` degrees apart.
FORK_BISECTOR = 30.0
FORK_OPENING = 100.0
#: Pixels a fork may run past the length a round pen's corner gives it (thinning's own rounding).
FORK_SLACK = 1.5
#: The longest fork not marked a spur that may be folded, times the pen's radius: a V whose arms are
#: 12 degrees apart (narrower, a fork is not told from a stem between two lines).
FORK_LONGEST = 1.0 / np.sin(np.radians(6.0)) - 1.0
#: Most degrees a side of a long fork may run off the way its tip sees it.
FORK_SIDE = 20.0


def fold_corner_forks(graph: StrokeGraph, *, ink: np.ndarray | None = None) -> StrokeGraph:
    """A thick pen's sharp corner as a thin pen's: the fork thinning grows there folded into a corner.

    Where a pen turns sharply (a V, a zigzag's tip, a cusp), thinning does not bend the centre line:
    the two sides meet at a junction inside the turn and a short spur runs on to where the pen
    really turned. Such a spur — marked, pointing along the outer bisector of the other two
    branches, which leave the junction less than :data:`FORK_OPENING` degrees apart — is removed, and
    the two sides are led straight to its tip: the junction becomes a bend of one line, which
    :func:`split_corners` then finds, as it does for a thin pen.

    With ``ink``, a junction without a marked spur may fold a longer fork, the stem of a narrow V's
    tip (:func:`_is_corner_fork`): a pen whose sides are 20 degrees apart leaves a fork five times
    its radius long. Such a fork must be straight, each side must run on the way its tip sees it,
    and the ink must be solid from the tip along both sides, so a stem between two lines (a Y, a
    stroke starting above a junction) is not taken for one.
    """
    folded = False
    while _fold_one(graph, ink):
        folded = True
    if not folded:
        return graph
    while _dissolve_pass_through(graph):
        pass
    return _compact(graph)


def _fold_one(graph: StrokeGraph, ink: np.ndarray | None) -> bool:
    degree = graph.degrees()
    for node in sorted({n for b in graph.branches for n, far in ((b.a, b.b), (b.b, b.a)) if degree[far] == 1}):
        ends = graph.ends_at(node)
        if len(ends) != 3 or len({k for k, _ in ends}) != 3:
            continue
        spurs = [e for e in ends if graph.branches[e[0]].spur]
        if len(spurs) == 1:
            forks = [(spurs[0], False)]
        elif not spurs and ink is not None:  # a narrow V's fork outgrows a spur: any branch running on to a line end
            forks = [((k, side), True) for k, side in ends if degree[graph.branches[k].b if side == 0 else graph.branches[k].a] == 1]
        else:
            continue
        for fork, long in forks:
            sides = [e for e in ends if e != fork]
            if _is_corner_fork(graph, node, fork, sides, ink=ink if long else None):
                _fold(graph, node, fork, sides)
                return True
    return False


def _is_corner_fork(graph: StrokeGraph, node: int, fork: tuple[int, int], sides: list[tuple[int, int]], *, ink: np.ndarray | None) -> bool:
    """Is branch end ``fork`` at ``node`` what thinning grows where a round pen turned sharply
    between the two ``sides``: pointing along their outer bisector, no longer than such a turn's?

    With ``ink``, the fork is a long one (not marked a spur: a narrow V's). It must also be straight
    and at most :data:`FORK_LONGEST` times the pen's radius, and the sides are seen from its tip,
    where the pen's centre line turned (from the junction, thinning has bent them into it over the
    fork's length): a pen's corner is solid ink from the tip along both sides.
    """
    k, side = fork
    spur = graph.branches[k] if side == 0 else graph.branches[k].reversed()  # from the junction
    if len(spur.points) < 2:
        return False
    reach = float(np.hypot(*(spur.points[-1] - graph.nodes[node])))
    legs = [graph.branches[b] if s == 0 else graph.branches[b].reversed() for b, s in sides]
    pen = float(np.median(np.concatenate([leg.radius for leg in legs])))
    # The sides' headings are taken past the junction, where thinning bends them into it.
    far = 2.0 * max(reach, float(graph.node_radius[node]))
    if ink is not None:
        # Distances to the paper come in whole pixels: a thin line's sides measure short of the tip's.
        pen = max(pen, float(spur.radius[-1]))
        if spur.length > 1.25 * reach + 2.0 or reach > FORK_LONGEST * pen:
            return False
        tip = spur.points[-1]
        ahead = [point_along(leg.points, arc_lengths(leg.points), min(2 * far, leg.length / 2)) - tip for leg in legs]
        headings = [_unit(vector) for vector in ahead]
        for leg, vector, heading in zip(legs, ahead, headings, strict=True):
            if heading is None or _ink_ahead(ink, tip, heading, float(np.hypot(*vector))) < 0.8 * float(np.hypot(*vector)):
                return False
            # Each side runs on the way the tip sees it (a T's bar, seen from its stem's end, does not).
            own = _leaving(leg, min(2 * far, leg.length / 2), beyond=min(far, leg.length / 4))
            if own is None or _degrees_between(own, heading) > FORK_SIDE:
                return False
    else:
        headings = [_leaving(leg, 2 * far, beyond=far) for leg in legs]
    spur_heading = _leaving(spur, reach)
    if headings[0] is None or headings[1] is None or spur_heading is None:
        return False
    opening = _degrees_between(headings[0], headings[1])
    outward = _unit(-(headings[0] + headings[1]))
    if opening >= FORK_OPENING or outward is None:
        return False
    if _degrees_between(outward, spur_heading) > FORK_BISECTOR:
        return False
    # A round pen of radius r turning through an opening θ leaves a fork r (1 / sin(θ / 2) - 1)
    # long: a longer one is a line of its own (a stroke's start above a junction, as in 人).
    return reach <= pen * (1.0 / max(float(np.sin(np.radians(opening / 2))), 1e-9) - 1.0) + FORK_SLACK


def _fold(graph: StrokeGraph, node: int, fork: tuple[int, int], sides: list[tuple[int, int]]) -> None:
    """Remove the ``fork`` and lead both ``sides`` straight to its tip, which ``node`` moves to."""
    spur = graph.branches[fork[0]] if fork[1] == 0 else graph.branches[fork[0]].reversed()
    reach = float(np.hypot(*(spur.points[-1] - graph.nodes[node])))
    tip, tip_radius = spur.points[-1].copy(), float(spur.radius[-1])
    for k, side in sides:
        branch = graph.branches[k] if side == 0 else graph.branches[k].reversed()
        keep = np.hypot(*(branch.points - graph.nodes[node]).T) > reach
        keep[-1] = True  # the far end stays
        first = int(np.argmax(keep))
        # Straight from the tip to the side's first point kept, a point a pixel, as thinning's are.
        steps = np.linspace(0.0, 1.0, max(1, int(np.ceil(np.hypot(*(branch.points[first] - tip))))), endpoint=False)[:, None]
        points = np.vstack([tip + steps * (branch.points[first] - tip), branch.points[first:]])
        radius = np.concatenate([tip_radius + steps[:, 0] * (branch.radius[first] - tip_radius), branch.radius[first:]])
        led = Branch(points, radius, node, branch.b, branch.spur)
        graph.branches[k] = led if side == 0 else led.reversed()
    graph.nodes[node] = tip
    graph.node_radius[node] = tip_radius
    del graph.branches[fork[0]]


def _unit(vector: np.ndarray) -> np.ndarray | None:
    norm = float(np.hypot(*vector))
    return vector / norm if norm > 1e-9 else None


def _degrees_between(a: np.ndarray, b: np.ndarray) -> float:
    """The angle between unit vectors ``a`` and ``b``, in degrees."""
    return float(np.degrees(np.arccos(np.clip(np.dot(a, b), -1.0, 1.0))))


def _leaving(branch: Branch, reach: float, *, beyond: float = 0.0) -> np.ndarray | None:
    """The unit direction along ``branch`` from its point ``beyond`` to its point ``reach`` along
    (at least 2 px; both held within the branch)."""
    along = arc_lengths(branch.points)
    if along[-1] < 1e-9:
        return None
    target = min(max(reach, 2.0), along[-1])
    return _unit(point_along(branch.points, along, target) - point_along(branch.points, along, min(beyond, 0.5 * target)))


def arc_lengths(points: np.ndarray) -> np.ndarray:
    """The length of the polyline ``points`` (N, 2) up to each of its points: (N,), from 0."""
    return np.concatenate([[0.0], np.cumsum(np.hypot(*np.diff(points, axis=0).T))])


def point_along(points: np.ndarray, along: np.ndarray, distance: float) -> np.ndarray:
    """The point ``distance`` along a polyline whose :func:`arc_lengths` are ``along``."""
    return np.array([np.interp(distance, along, points[:, 0]), np.interp(distance, along, points[:, 1])])


def split_corners(graph: StrokeGraph, *, angle: float = 40.0) -> StrokeGraph:
    """Each branch cut at its corners: points where the line turns by more than ``angle`` degrees.

    The turn at a point is measured between the line over the ``d`` pixels before it and over the
    ``d`` after it, ``d`` twice the ink's radius there plus two pixels (so the staircase of a thin line
    and the rounding of a thick one are no corners); a corner is the sharpest point of a run of
    such points. A corner closer than ``d`` to either end of its branch is no corner.
    """
    branches: list[Branch] = []
    nodes, node_radius = list(graph.nodes), list(graph.node_radius)
    degree = graph.degrees()
    for branch in graph.branches:
        points, radius = branch.points, branch.radius
        # A loop alone (an o) has no ends; a loop on a junction (the loop of a joined-up l or e)
        # starts and ends where it meets the rest of the glyph, and stays joined there.
        free_loop = branch.a == branch.b and degree[branch.a] <= 2
        along = arc_lengths(points)
        if len(points) < 5 or branch.spur:
            branches.append(branch)
            continue
        reach = 2 * radius + 2.0
        before = np.stack([np.interp(along - reach, along, points[:, k]) for k in range(2)], axis=1)
        after = np.stack([np.interp(along + reach, along, points[:, k]) for k in range(2)], axis=1)
        u, v = points - before, after - points
        norms = np.hypot(*u.T) * np.hypot(*v.T)
        cosine = np.where(norms > 1e-9, (u * v).sum(axis=1) / np.maximum(norms, 1e-9), 1.0)
        turn = np.degrees(np.arccos(np.clip(cosine, -1, 1)))
        inside = (along >= reach) & (along[-1] - along >= reach)
        if free_loop:
            inside[:] = True  # a loop alone has no ends to stay away from
        sharp = inside & (turn > angle)
        cuts = []
        k = 0
        while k < len(points):
            if sharp[k]:
                run = k
                while run < len(points) and sharp[run]:
                    run += 1
                cuts.append(k + int(np.argmax(turn[k:run])))
                k = run
            else:
                k += 1
        if not cuts:
            branches.append(branch)
            continue
        if free_loop:  # a loop alone with corners: it starts and ends at its first corner
            first = cuts[0]
            points = np.vstack([points[first:-1], points[: first + 1]])
            radius = np.concatenate([radius[first:-1], radius[: first + 1]])
            cuts = [c - first if c >= first else c + len(points) - first for c in cuts[1:]]
            start = len(nodes)
            nodes.append(points[0])
            node_radius.append(float(radius[0]))
            branch = Branch(points, radius, start, start)
        previous, node = 0, branch.a
        for cut in cuts:
            nodes.append(points[cut])
            node_radius.append(float(radius[cut]))
            corner = len(nodes) - 1
            branches.append(Branch(points[previous : cut + 1], radius[previous : cut + 1], node, corner))
            previous, node = cut, corner
        branches.append(Branch(points[previous:], radius[previous:], node, branch.b))
    return StrokeGraph(np.array(nodes).reshape(-1, 2), np.array(node_radius), branches)


def reach_corner_tips(graph: StrokeGraph) -> StrokeGraph:
    """Each corner moved out to where a round pen's centre turned: thinning stops short of it.

    A round pen turning through a corner leaves ink rounded round its centre there: along the outer
    bisector, the ink runs on half the pen's width past the turning point. Thinning erodes a thick
    corner from outside as well as in, so the corner node ends up short of the tip (a V at 53° and
    a 6-px pen: 4.5 px), and off to one side where the skeleton flattens the turn into a short run.
    The turning point is put where the legs' centre lines meet, then moved along the bisector until
    the ink ahead of it is half the legs' width; never farther from the node than a round pen's
    corner of that opening could leave it. Each leg is led straight to it. A corner already at its
    tip (one a fork was folded into) stays.
    """
    if graph.ink is None:
        return graph
    degree = graph.degrees()
    for node in np.flatnonzero(degree == 2):
        ends = graph.ends_at(int(node))
        legs = [graph.branches[k] if side == 0 else graph.branches[k].reversed() for k, side in ends]
        origin = graph.nodes[node]
        far = 2.0 * float(graph.node_radius[node]) + 1.0
        headings = [_leaving(leg, 2 * far, beyond=far) for leg in legs]
        if headings[0] is None or headings[1] is None:
            continue
        outward = -(headings[0] + headings[1])
        if np.hypot(*outward) < 0.2:  # nearly straight on: no corner to reach
            continue
        outward = outward / np.hypot(*outward)
        alongs = [arc_lengths(leg.points) for leg in legs]
        # The legs' width, measured as the ink ahead is: by how much ink lies across them.
        widths = []
        for leg, along in zip(legs, alongs, strict=True):
            beside = (along >= far) & (along <= 3 * far)
            if beside.sum() >= 2:  # across as far as _centre_line measures a line's width
                widths.append(ink_width(graph.ink, leg.points[beside], 1.5 * leg.radius[beside] + 2.0))
        if not widths:
            continue
        half = float(np.median(np.concatenate(widths))) / 2
        opening = float(np.arccos(np.clip(np.dot(headings[0], headings[1]), -1.0, 1.0)))
        most = half / max(float(np.sin(opening / 2)), 1e-9)  # a round pen's corner is no farther
        ahead = _ink_ahead(graph.ink, origin, outward, 4.0 * far)
        if ahead - half < 0.5:
            continue  # the node is where the pen's centre turned (a thin pen, a round bend)
        # Where the legs' lines meet (each through its point ``far`` along, on its heading), if the
        # ink runs there from the node; else the node itself.
        base = origin
        anchors = [point_along(leg.points, along, far) for leg, along in zip(legs, alongs, strict=True)]
        system = np.stack([headings[0], -headings[1]], axis=1)
        if abs(float(np.linalg.det(system))) > 0.25:
            meet = anchors[0] + float(np.linalg.solve(system, anchors[1] - anchors[0])[0]) * headings[0]
            between = origin + np.linspace(0.0, 1.0, 9)[:, None] * (meet - origin)
            if np.hypot(*(meet - origin)) <= most and _ink_at(graph.ink, between).min() >= INK_THRESHOLD:
                base = meet
                ahead = _ink_ahead(graph.ink, base, outward, 4.0 * far)
        tip = base + outward * min(ahead - half, most)
        cut = float(np.hypot(*(tip - origin)))
        if cut < 0.5 or cut > most + 1.0:
            continue
        if ends[0][0] == ends[1][0]:  # a loop alone, starting and ending at this corner
            k = ends[0][0]
            loop = graph.branches[k]
            keep = np.hypot(*(loop.points - origin).T) > cut
            if keep.sum() < 2:
                continue
            graph.branches[k] = Branch(np.vstack([tip, loop.points[keep], tip]), np.concatenate([[graph.node_radius[node]], loop.radius[keep], [graph.node_radius[node]]]), loop.a, loop.b, loop.spur)
        else:
            for (k, side), leg in zip(ends, legs, strict=True):
                keep = np.hypot(*(leg.points - origin).T) > cut
                keep[-1] = True  # the far end stays
                first = int(np.argmax(keep))
                led = Branch(np.vstack([tip, leg.points[first:]]), np.concatenate([[graph.node_radius[node]], leg.radius[first:]]), leg.a, leg.b, leg.spur)
                graph.branches[k] = led if side == 0 else led.reversed()
        graph.nodes[node] = tip
    return graph


def _ink_ahead(ink: np.ndarray, start: np.ndarray, direction: np.ndarray, most: float, *, step: float = 0.25) -> float:
    """Pixels of ink along the ray from ``start`` in ``direction`` (a unit vector) before it reaches
    paper (at most ``most``): anti-aliased edge pixels count by how much ink they hold."""
    values = _ink_at(np.asarray(ink, np.float32), start[None, :] + np.arange(0.0, most, step)[:, None] * direction[None, :])
    paper = np.flatnonzero(values < 0.05)
    return float(values[: paper[0] if len(paper) else len(values)].sum() * step)


def _mark_spurs(graph: StrokeGraph, spur: float) -> None:
    degree = graph.degrees()
    for branch in graph.branches:
        branch.spur = False
        if branch.a == branch.b:
            continue
        for tip, root in ((branch.a, branch.b), (branch.b, branch.a)):
            if degree[tip] == 1 and degree[root] >= 3 and branch.length <= spur * graph.node_radius[root] + 1.0:
                branch.spur = True
    # A junction keeps at least two branches that are not spurs: of its spurs, the longest are not.
    for node in np.flatnonzero(degree >= 3):
        meeting = [b for b in graph.branches if node in (b.a, b.b) and b.a != b.b]
        full = [b for b in meeting if not b.spur]
        spurs = sorted((b for b in meeting if b.spur), key=lambda b: -b.length)
        for branch in spurs[: max(0, 2 - len(full))]:
            branch.spur = False


def _merge_close_junctions(graph: StrokeGraph) -> bool:
    degree = np.bincount([n for b in graph.branches if not b.spur for n in (b.a, b.b)], minlength=len(graph.nodes))
    for k, branch in enumerate(graph.branches):
        a, b = branch.a, branch.b
        if a == b or branch.spur or degree[a] < 3 or degree[b] < 3:
            continue
        if branch.length <= 1.6 * max(graph.node_radius[a], graph.node_radius[b]) + 1.0:
            # One crossing: b merges into a, which moves to the middle of the short branch.
            graph.nodes[a] = branch.points[len(branch.points) // 2]
            graph.node_radius[a] = max(graph.node_radius[a], graph.node_radius[b])
            del graph.branches[k]
            for other in graph.branches:
                other.a, other.b = (a if other.a == b else other.a), (a if other.b == b else other.b)
                if other.a == a:
                    other.points[0] = graph.nodes[a]
                if other.b == a:
                    other.points[-1] = graph.nodes[a]
            return True
    return False


def _drop_hole_rims(graph: StrokeGraph) -> bool:
    """A loop on a junction that never leaves the junction's ink is the rim of a hole there (bare
    chalk where lines cross), not a line a pen draws: it is dropped."""
    degree = graph.degrees()
    for k, branch in enumerate(graph.branches):
        node = branch.a
        rim = branch.b == node and degree[node] > 2
        if rim and float(np.hypot(*(branch.points - graph.nodes[node]).T).max()) <= graph.node_radius[node] + 1.5:
            del graph.branches[k]
            return True
    return False


def _dissolve_pass_through(graph: StrokeGraph) -> bool:
    ends: dict[int, list[tuple[int, int]]] = {}
    for k, branch in enumerate(graph.branches):
        ends.setdefault(branch.a, []).append((k, 0))
        ends.setdefault(branch.b, []).append((k, 1))
    for meeting in ends.values():
        if len(meeting) != 2 or meeting[0][0] == meeting[1][0]:
            continue
        (i, si), (j, sj) = meeting
        first = graph.branches[i] if si == 1 else graph.branches[i].reversed()  # ends at node
        second = graph.branches[j] if sj == 0 else graph.branches[j].reversed()  # starts at node
        joined = Branch(
            np.vstack([first.points, second.points[1:]]), np.concatenate([first.radius, second.radius[1:]]), first.a, second.b
        )
        graph.branches = [b for k, b in enumerate(graph.branches) if k not in (i, j)] + [joined]
        return True
    return False


def _compact(graph: StrokeGraph) -> StrokeGraph:
    """Drop nodes no branch meets (isolated dots stay: a branch of one point)."""
    used = sorted({n for b in graph.branches for n in (b.a, b.b)})
    renumber = {old: new for new, old in enumerate(used)}
    branches = [Branch(b.points, b.radius, renumber[b.a], renumber[b.b], b.spur) for b in graph.branches]
    return StrokeGraph(graph.nodes[used].reshape(-1, 2), graph.node_radius[used], branches)
