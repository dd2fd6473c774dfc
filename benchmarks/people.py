"""How alike do two people draw the same character? The reference a tracer of people's glyphs is held to.

    python benchmarks/people.py            # the 520 held-out Omniglot glyphs (about 8 minutes)
    python benchmarks/people.py --quick    # 1 character

Each held-out Omniglot character was drawn by 20 people. For each person B, every other person A's
pen path is fitted onto B's glyph (A's box onto B's box, then an affine fit that pulls A's path onto
B's, iterated closest points) and scored as if it were a tracer's output for B's image, with the
same :func:`strokebot.metrics.drawing_like_a_person` that ``strokebot evaluate`` uses. Three rows
a tracer could be: *another person* (each figure averaged over the 19 others), *the most alike
other person* (the one whose fitted path lies closest to B's, least Chamfer) and *the other
people's majority* (direction and order only: each of B's strokes drawn the way most others drew
it, in the order of its mean rank among them). Two more know the answer, about the most a tracer
that draws a character one way, whoever drew it, could reach: *the best other person in
hindsight* (the other whose drawing agrees best with all 20 people's, B among them) and *the
majority of all the people, the person among them*. strokebot and the convention-ordered skeleton
are measured on the same glyphs beside them, then strokebot's order against the majority
character by character (where a whole character is drawn in another order than most people's)
and by whether strokebot drew as many strokes as the person, fewer or more (where its parse, not
its order, costs agreement).

A tracer that knows only the character cannot know which of the ways people draw it a given
person chose: where people disagree with each other, that bounds how often it can agree with the
person. Only the ink of the person's own glyph tells more; the last table, the persons' strokes by
how many others drew them the same way, shows how much of it strokebot reads.
"""

from __future__ import annotations

import argparse
import collections
import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import baselines  # noqa: E402
from drawing_order import difference_text, measure, row  # noqa: E402
from machine import describe  # noqa: E402


def _nearest(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """For each point of ``a``, the index of the nearest point of ``b``."""
    from scipy.spatial import cKDTree

    return cKDTree(b).query(a, k=1)[1]


def fitted(strokes: list[np.ndarray], onto: list[np.ndarray], *, rounds: int = 15, bends: int = 10) -> list[np.ndarray]:
    """``strokes`` moved onto ``onto``: box onto box, affine fits to closest points (both ways),
    then a smooth warp (closest-point pulls averaged over a Gaussian of 6 px, then 3 px) that
    follows the two hands' local differences without tearing a path or swapping its strokes."""
    from strokebot.metrics import sample_polylines

    def box(polylines: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        points = np.vstack(polylines)
        return points.min(0), np.maximum(np.ptp(points, axis=0), 1e-6)

    (low_a, size_a), (low_b, size_b) = box(strokes), box(onto)
    moved = [(s - low_a) / size_a * size_b + low_b for s in strokes]
    target = sample_polylines(onto, spacing=1.0)

    def pulls(dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        # Closest points both ways: where each point of ``dense`` is pulled to, and from where.
        return np.vstack([dense, dense[_nearest(target, dense)]]), np.vstack([target[_nearest(dense, target)], target])

    for _ in range(rounds):
        source, goal = pulls(sample_polylines(moved, spacing=1.0))
        affine, *_ = np.linalg.lstsq(np.column_stack([source, np.ones(len(source))]), goal, rcond=None)
        moved = [np.column_stack([s, np.ones(len(s))]) @ affine for s in moved]
    for k in range(bends):
        sigma = 6.0 if k < bends // 2 else 3.0
        source, goal = pulls(sample_polylines(moved, spacing=1.0))
        moved = [_warped(s, source, goal - source, sigma) for s in moved]
    return moved


def _warped(points: np.ndarray, at: np.ndarray, shift: np.ndarray, sigma: float) -> np.ndarray:
    """``points`` moved half the Gaussian-weighted mean of the ``shift`` pulls placed ``at``."""
    weight = np.exp(-((points[:, None, :] - at[None, :, :]) ** 2).sum(-1) / (2 * sigma**2))
    return points + 0.5 * (weight @ shift) / np.maximum(weight.sum(1, keepdims=True), 1e-9)


def other_people(samples: list, shares: dict[int, np.ndarray] | None = None) -> tuple[dict[str, dict[str, float]], dict[int, dict[str, float]]]:
    """Direction and order of each person's strokes as the other people of the character drew them.

    Three references per set that a tracer could in principle be: *another person* (each figure
    averaged over the others), *the most alike other person* (least Chamfer), and *the other
    people's majority*: each of the person's strokes takes the direction most of the others drew
    it in, and the strokes the order of their mean rank among the others — what knowing how
    everyone else drew this very character gives. Then two that know the answer, about the most a
    tracer that draws a character one way, whoever drew it, could reach (not one that reads the
    person's own hand in the ink): *the best other person in hindsight* (of the others, the one
    whose drawing agrees best, figure by figure, with everyone who drew the character, the person
    included) and *the majority of all the people, the person among them* (the person's own vote
    breaks the others' ties). Also the other people's majority's row for each sample (by its index
    in ``samples``) that has other people.

    ``shares``, when given, gathers for each sample (by its index) the share of the other people who
    drew each of its strokes the same way as its person (NaN for a dot).
    """
    from strokebot.evaluate import summarise
    from strokebot.metrics import drawing_like_a_person, true_stroke_timing

    drawers = collections.defaultdict(list)
    for sample in samples:
        drawers[sample.label].append(sample)
    index = {id(sample): k for k, sample in enumerate(samples)}
    typical, closest, majority, everyone, hindsight, by_sample = [], [], [], [], [], {}
    for group in drawers.values():
        scored: dict[tuple[int, int], dict[str, float]] = {}  # (drawer, person) -> the drawer's path scored on the person
        for b, person in enumerate(group):
            others = [a for a in range(len(group)) if a != b]
            if not others:
                continue
            paths = [fitted(group[a].strokes, person.strokes) for a in others]
            rows = [drawing_like_a_person(path, person.strokes, person.image) for path in paths]
            scored.update({(a, b): r for a, r in zip(others, rows, strict=True)})
            with warnings.catch_warnings():  # a figure no row has (order of a one-stroke glyph): NaN
                warnings.simplefilter("ignore", RuntimeWarning)
                typical.append({key: float(np.nanmean([r[key] for r in rows])) for key in rows[0]})
                closest.append(min(rows, key=lambda r: r["chamfer"]))
                timings = [true_stroke_timing(path, person.strokes) for path in paths]
                forwards = np.nanmean([f for f, _ in timings], axis=0)  # (strokes,) share drawn the person's way
                ranks = np.mean([np.argsort(np.argsort(m)) for _, m in timings], axis=0)
            if shares is not None:
                shares[index[id(person)]] = forwards
            majority.append(_voted(rows[0], forwards, ranks))
            by_sample[index[id(person)]] = majority[-1]
            # The person's own vote among the others': forwards, and in the order they drew them.
            n = len(others)
            everyone.append(_voted(rows[0], (n * forwards + 1) / (n + 1), (n * ranks + np.arange(len(ranks))) / (n + 1), ties=True))
        hindsight.extend(_best_in_hindsight(scored, len(group)))
    keep = ("direction", "order_tau")
    voted = {name: summarise(rows) for name, rows in (("the other people's majority", majority),
                  ("the best other person in hindsight", hindsight), ("the majority of all the people, the person among them", everyone))}  # fmt: skip
    return {
        "another person": summarise(typical),
        "the most alike other person": summarise(closest),
        **{name: {key: (votes[key] if key in keep else float("nan")) for key in votes} for name, votes in voted.items()},
    }, by_sample


def _voted(like: dict[str, float], forwards: np.ndarray, ranks: np.ndarray, *, ties: bool = False) -> dict[str, float]:
    """A person's strokes drawn as a vote says (``like``'s keys): each stroke the person's way
    where the share ``forwards`` of the votes is over half (or, with ``ties``, half), the strokes in
    the order of ``ranks``."""
    from strokebot.metrics import kendall_tau

    directed = np.isfinite(forwards)
    tau = kendall_tau(np.arange(len(ranks)), ranks) if len(ranks) >= 2 else float("nan")
    won = forwards[directed] >= 0.5 if ties else forwards[directed] > 0.5
    return {**like, "direction": float(np.mean(won)) if directed.any() else float("nan"),
            "order": 0.0 if len(ranks) >= 2 and np.isnan(tau) else tau}  # fmt: skip


def _best_in_hindsight(scored: dict[tuple[int, int], dict[str, float]], people: int) -> list[dict[str, float]]:
    """Per person of a character, the direction and order of the other person whose drawing agrees
    best with everyone's (a mean over all who drew the character, this person among them), picked
    figure by figure: as well as drawing the character one person's way could do, in hindsight."""
    rows = []
    with warnings.catch_warnings():  # a drawer no figure of which is defined (one-stroke glyphs): NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        agreement = {key: [float(np.nanmean([scored[a, b][key] for b in range(people) if (a, b) in scored])) for a in range(people)]
                     for key in ("direction", "order")}  # fmt: skip
    for b in range(people):
        others = [a for a in range(people) if (a, b) in scored]
        if not others:
            continue
        row = dict(scored[others[0], b])
        for key, means in agreement.items():
            best = max(others, key=lambda a: -np.inf if np.isnan(means[a]) else means[a])
            row[key] = scored[best, b][key]
        rows.append(row)
    return rows


def main(argv: list[str] | None = None) -> None:
    from strokebot.evaluate import path_samples

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 character of 20 people")
    args = parser.parse_args(argv)
    samples = path_samples("omniglot", 20 if args.quick else None)
    print(f"how alike people draw the same character  ({describe()})")
    print(f"\nomniglot held-out: {len(samples)} glyphs of {len({s.label for s in samples})} characters, 20 people each")
    print("| method | Chamfer px | direction | order tau | strokes (true) | exact | median abs diff | off-ink | length ratio | ms/glyph |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    shares: dict[int, np.ndarray] = {}
    references, majority = other_people(samples, shares)
    for name, figures in references.items():
        figures["seconds_per_glyph"] = float("nan")
        print(row(name, figures).replace("nan", "—").replace("— (—)", "—").replace("— %", "—"), flush=True)
    import strokebot

    drawings: list[list[np.ndarray]] = []

    def ours(ink: np.ndarray) -> list[np.ndarray]:
        drawings.append([s.xy for s in strokebot.trace(ink, polarity="light-on-dark").strokes])
        return drawings[-1]

    figures, rows = measure(ours, samples)
    print(row("strokebot", figures), flush=True)
    print(row("skeleton, convention order", measure(baselines.convention_trace, samples)[0]), flush=True)
    print(against_majority(rows, majority, samples))
    print(by_character(rows, majority, samples))
    print(by_stroke_count(rows, majority))
    print(by_stroke_count(rows, majority, "direction"))
    print(shared_ways(shares, samples))
    print(split_strokes(shares, drawings, samples))


def shared_ways(shares: dict[int, np.ndarray], samples: list) -> str:
    """How often most other people drew a person's stroke the same way, by how the person drew it: a
    stroke drawn against the convention that most others drew so too is the character's way, which
    a tracer can learn; one that most others drew the conventional way is the person's own."""
    from leads.direction_errors import way_of

    ways: dict[str, list[float]] = {}
    for k, forwards in shares.items():
        for stroke, share in zip(samples[k].strokes, forwards, strict=True):
            if np.isfinite(share):
                ways.setdefault(way_of(np.asarray(stroke, float)[:, :2]), []).append(float(share))
    lines = ["\nthe persons' strokes (dots left out), and whether most of the other people drew them the same way:",
             "| the person drew it | strokes | most others the same way | the others' mean share |", "| --- | --- | --- | --- |"]  # fmt: skip
    for way in ("conventional", "against convention", "closed"):
        same = np.asarray(ways.get(way, []), float)
        if len(same):
            lines.append(f"| {way} | {len(same)} | {np.mean(same > 0.5):.0%} | {same.mean():.2f} |")
    return "\n".join(lines)


def split_strokes(shares: dict[int, np.ndarray], drawings: list[list[np.ndarray]], samples: list) -> str:
    """How often strokebot drew a person's stroke the person's way, by how many of the other people
    drew it so. A tracer that draws each character one way, whoever drew it, goes the person's way
    about as often as the others do; one above that on the strokes people split on reads the
    person's own hand in the ink (a stroke's shape, where it bends or thins)."""
    from strokebot.metrics import true_stroke_timing

    bins = (("under a third", 0.0, 1 / 3), ("a third to two thirds", 1 / 3, 2 / 3), ("over two thirds", 2 / 3, 1.0 + 1e-9))
    found: dict[str, list[tuple[float, float]]] = {name: [] for name, _, _ in bins}
    for k, others in shares.items():
        ours = true_stroke_timing(drawings[k], samples[k].strokes)[0]  # as drawing_like_a_person reads it
        for share, drawn in zip(others, ours, strict=True):
            if np.isfinite(share) and np.isfinite(drawn):
                name = next(name for name, low, high in bins if low <= share < high)
                found[name].append((share, drawn))
    lines = ["\nthe persons' strokes (dots left out) by how many of the other people drew them the same way, and strokebot:",
             "| the others the person's way | strokes | the others' mean share | strokebot the person's way |", "| --- | --- | --- | --- |"]  # fmt: skip
    for name, pairs in found.items():
        if pairs:
            their_share, our_share = np.mean(pairs, axis=0)
            lines.append(f"| {name} | {len(pairs)} | {their_share:.2f} | {our_share:.0%} |")
    return "\n".join(lines)


def against_majority(rows: list[dict[str, float]], majority: dict[int, dict[str, float]], samples: list) -> str:
    """strokebot less the other people's majority on the same glyphs, direction and order, with 95 %
    intervals over the characters (:func:`strokebot.evaluate.paired_difference`)."""
    from strokebot.evaluate import paired_difference

    both = sorted(majority)
    differences = paired_difference([majority[k] for k in both], [rows[k] for k in both], [samples[k].label for k in both])
    parts = [f"{label} {difference_text(differences[figure])}" for figure, label in (("direction", "direction"), ("order_tau", "order"))]
    return "\nstrokebot less the other people's majority, same glyphs (95 % over characters): " + "; ".join(parts)


def by_character(rows: list[dict[str, float]], majority: dict[int, dict[str, float]], samples: list) -> str:
    """Where strokebot's order falls short of the other people's majority: per character, the two
    mean order taus and their difference, the largest shortfall first."""
    groups: dict[str, list[tuple[float, float]]] = collections.defaultdict(list)
    for k, votes in majority.items():
        if np.isfinite(rows[k]["order"]) and np.isfinite(votes["order"]):
            groups[samples[k].label].append((rows[k]["order"], votes["order"]))
    table = sorted((float(np.mean([a - b for a, b in pairs])), label, pairs) for label, pairs in groups.items())
    lines = ["\norder by character, strokebot less the other people's majority (largest shortfall first):",
             "| character | glyphs | strokebot | majority | difference |", "| --- | --- | --- | --- | --- |"]  # fmt: skip
    for difference, label, pairs in table:
        ours, theirs = np.mean(pairs, axis=0)
        lines.append(f"| {label} | {len(pairs)} | {ours:.3f} | {theirs:.3f} | {difference:+.3f} |")
    return "\n".join(lines)


def by_stroke_count(rows: list[dict[str, float]], majority: dict[int, dict[str, float]], key: str = "order") -> str:
    """strokebot's order (or, with ``key="direction"``, direction) against the other people's
    majority, by whether it drew as many strokes as the person, fewer (it joined what the person
    lifted between) or more (it lifted where the person drew on): how much of the shortfall lies with
    the parse, how much with the order of its strokes. A group's share is its glyphs' summed
    difference over all the glyphs compared."""
    groups: dict[str, list[tuple[float, float]]] = {"as many": [], "fewer": [], "more": []}
    for k, votes in majority.items():
        if np.isfinite(rows[k][key]) and np.isfinite(votes[key]):
            drawn, true = rows[k]["strokes"], rows[k]["true_strokes"]
            groups["as many" if drawn == true else "fewer" if drawn < true else "more"].append((rows[k][key], votes[key]))
    compared = sum(len(pairs) for pairs in groups.values())
    lines = [f"\n{key} against the other people's majority, by strokes drawn against the person's:",
             "| strokebot drew | glyphs | strokebot | majority | difference | share of the whole difference |", "| --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    for name, pairs in groups.items():
        if pairs:
            ours, theirs = np.mean(pairs, axis=0)
            share = sum(a - b for a, b in pairs) / compared
            lines.append(f"| {name} | {len(pairs)} | {ours:.3f} | {theirs:.3f} | {ours - theirs:+.3f} | {share:+.3f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
