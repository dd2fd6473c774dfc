"""Training examples for the stroke model, from glyphs with their true strokes (numpy).

The stroke graph of each glyph is built as tracing builds it, and its true strokes label it
(:mod:`strokebot.model.truth`): every pair of branch ends meeting at a node for the junction net,
every step of the true drawing sequence for the sequencer. Building them is the slow part of
training, so it can run in worker processes; this module imports no torch, so they start quickly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from strokebot.model.order import Candidates, candidate_features
from strokebot.model.parse import (
    EXCURSION_FEATURES,
    JUNCTION_FEATURES,
    STAY_FEATURES,
    GlyphContext,
    excursion_candidates,
    excursion_features,
    junction_features,
    stay_down_candidates,
    stay_features,
)
from strokebot.model.skeleton import stroke_graph
from strokebot.model.strokes import StrokeNets, junction_pairs, paired_strokes, parse_glyph
from strokebot.model.truth import Matcher, join_labels, stroke_labels, true_sequence

__all__ = ["JunctionExamples", "OrderExamples", "junction_examples", "excursion_examples", "stay_and_order_examples", "order_examples"]


@dataclass
class JunctionExamples:
    """Pairs of branch ends: their features and whether a true stroke passes through (1) or not."""

    features: np.ndarray  # (N, len(JUNCTION_FEATURES))
    labels: np.ndarray  # (N,)


@dataclass
class OrderExamples:
    """Per glyph, the steps of its true sequence: the candidates' features and the true choice."""

    glyphs: list[list[tuple[np.ndarray, int]]] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.glyphs)


def _in_workers(function: Any, samples: Sequence[Any], workers: int, **options: Any) -> list[Any]:
    """``function(chunk, **options)`` over chunks of ``samples``, in ``workers`` processes; results in order."""
    if workers <= 1 or len(samples) < 64:
        return [function(samples, **options)]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    size = max(16, len(samples) // (8 * workers))
    chunks = [samples[i : i + size] for i in range(0, len(samples), size)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(partial(function, **options), chunks))


def _junction_chunk(samples: Sequence[Any], spur: float, corner: float) -> tuple[np.ndarray, np.ndarray]:
    features, labels = [], []
    for sample in samples:
        graph = stroke_graph(sample.image, spur=spur, corner=corner)
        context = GlyphContext.of(graph)
        pairs = junction_pairs(graph, context)
        if not pairs:
            continue
        features.append(np.stack([junction_features(graph, n, a, b, context) for n, a, b in pairs]))
        labels.append(join_labels(graph, pairs, Matcher(sample.strokes)))
    width = len(JUNCTION_FEATURES)
    return (
        np.concatenate(features) if features else np.zeros((0, width), np.float32),
        np.concatenate(labels) if labels else np.zeros(0, np.float32),
    )


def junction_examples(samples: Sequence[Any], *, spur: float = 1.2, corner: float = 40.0, workers: int = 1) -> JunctionExamples:
    """Every pair of branch ends of every sample's graph, labelled by its true strokes."""
    parts = _in_workers(_junction_chunk, list(samples), workers, spur=spur, corner=corner)
    return JunctionExamples(np.concatenate([f for f, _ in parts]), np.concatenate([y for _, y in parts]))


def _excursion_chunk(samples: Sequence[Any], nets: StrokeNets, spur: float, corner: float) -> tuple[np.ndarray, np.ndarray]:
    features, labels = [], []
    for sample in samples:
        graph = stroke_graph(sample.image, spur=spur, corner=corner)
        context = GlyphContext.of(graph)
        strokes = paired_strokes(graph, nets, context)
        candidates = excursion_candidates(graph, strokes)
        if not candidates:
            continue
        truth = stroke_labels(strokes, Matcher(sample.strokes))
        features.append(np.stack([excursion_features(graph, strokes, x, context) for x in candidates]))
        labels.append(np.array([float(truth[x.dead_end].stroke == truth[x.host].stroke >= 0) for x in candidates], np.float32))
    width = len(EXCURSION_FEATURES)
    return (
        np.concatenate(features) if features else np.zeros((0, width), np.float32),
        np.concatenate(labels) if labels else np.zeros(0, np.float32),
    )


def excursion_examples(samples: Sequence[Any], nets: StrokeNets, *, spur: float = 1.2, corner: float = 40.0, workers: int = 1) -> JunctionExamples:
    """Every dead end of every sample's strokes (as ``nets`` pair the branch ends) meeting a stroke
    that passes its junction, labelled 1 when the true strokes draw both in one go."""
    parts = _in_workers(_excursion_chunk, list(samples), workers, nets=nets, spur=spur, corner=corner)
    return JunctionExamples(np.concatenate([f for f, _ in parts]), np.concatenate([y for _, y in parts]))


def _parsed_chunk(samples: Sequence[Any], nets: StrokeNets | None, spur: float, corner: float) -> list[tuple[Any, ...]]:
    """Each sample parsed by ``nets``, with its strokes' true labels: the costly part, done once for
    the stay net's examples and the sequencer's."""
    parsed = []
    for sample in samples:
        graph = stroke_graph(sample.image, spur=spur, corner=corner)
        strokes = parse_glyph(graph, nets)
        if strokes:
            parsed.append((graph, strokes, stroke_labels(strokes, Matcher(sample.strokes))))
    return [(_stay_rows(*p), _order_steps(*p)) for p in parsed]


def _stay_rows(graph: Any, strokes: list[Any], truth: list[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Consecutive strokes of the true sequence the ink connects: features, and 1 where one true stroke."""
    width = len(STAY_FEATURES)
    order, sequence = true_sequence(strokes, truth)
    candidates = stay_down_candidates(graph, sequence)
    if not candidates:
        return np.zeros((0, width), np.float32), np.zeros(0, np.float32)
    context = GlyphContext.of(graph)
    features = np.stack([stay_features(graph, sequence[i], sequence[i + 1], way, context) for i, way in candidates])
    labels = np.array([float(truth[order[i]].stroke == truth[order[i + 1]].stroke >= 0) for i, _ in candidates], np.float32)
    return features, labels


def _order_steps(graph: Any, strokes: list[Any], truth: list[Any]) -> list[tuple[np.ndarray, int]]:
    """The steps of the true sequence: the candidates' features and which comes next, which way."""
    candidates = Candidates.of(strokes)
    left = np.arange(len(strokes))
    last, pen, steps = None, None, []
    for k in sorted(range(len(strokes)), key=lambda k: truth[k].place):
        features = candidate_features(candidates, left, last, pen)
        position = int(np.flatnonzero(left == k)[0])
        direction = 0 if truth[k].forwards else 1
        steps.append((features, 2 * position + direction))
        last, pen = k, candidates.strokes[2 * k + direction].points[-1]
        left = np.delete(left, position)
    return steps


def stay_and_order_examples(
    samples: Sequence[Any], nets: StrokeNets | None, *, spur: float = 1.2, corner: float = 40.0, workers: int = 1
) -> tuple[JunctionExamples, OrderExamples]:
    """From each sample's strokes as ``nets`` parse them: the stay net's examples (consecutive strokes
    of the true sequence that the ink connects, 1 when they are one true stroke: the pen did not lift)
    and the sequencer's (the true sequence, step by step)."""
    parts = [item for part in _in_workers(_parsed_chunk, list(samples), workers, nets=nets, spur=spur, corner=corner) for item in part]
    width = len(STAY_FEATURES)
    stays = JunctionExamples(
        np.concatenate([f for (f, _), _ in parts]) if parts else np.zeros((0, width), np.float32),
        np.concatenate([y for (_, y), _ in parts]) if parts else np.zeros(0, np.float32),
    )
    return stays, OrderExamples([steps for _, steps in parts])


def order_examples(
    samples: Sequence[Any], nets: StrokeNets | None, *, spur: float = 1.2, corner: float = 40.0, workers: int = 1
) -> OrderExamples:
    """The true drawing sequence of each sample's strokes as ``nets`` parse them, step by step."""
    return stay_and_order_examples(samples, nets, spur=spur, corner=corner, workers=workers)[1]
