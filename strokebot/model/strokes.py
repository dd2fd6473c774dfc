"""The stroke model: a glyph's ink in, the strokes a person would draw out, in their order and direction.

numpy only; this is what tracing runs (``strokebot-default 2.8``). Per glyph:

1. the ink's centre lines become a stroke graph (:mod:`strokebot.model.skeleton`);
2. at every junction and corner, the **junction net** scores each pair of branch ends meeting there:
   is it one stroke passing through? The best-scoring pairs above one half are joined
   (:func:`strokebot.model.parse.pair_ends`), and the strokes follow (:func:`~strokebot.model.parse.assemble`);
3. the **excursion net** picks dead ends (strokes with a free end meeting a stroke that passes their
   junction) that a pen draws out and back inside that stroke, retracing them;
4. the **sequencer** draws the strokes one at a time: at each step it scores every stroke not yet
   drawn, in both directions (:func:`strokebot.model.order.candidate_features`); a short beam search
   keeps the likeliest sequences. Its recurrent state carries what has been drawn so far; with
   ``order_context="place"`` (2.8) each candidate also sees the others of its step, by where they
   lie (``learn.PlaceAttention``). A model file may hold several sequencers trained with different
   seeds (2.6 to 2.8 have three): their
   probabilities are multiplied, so the choice is the design's rather than one seed's;
5. the **stay net** decides, between consecutive strokes that the ink connects, whether the pen stays
   down and goes along the ink to the next one (a word written in one go) or lifts.

The nets are small MLPs (the sequencer with a GRU cell), trained on KanjiVG's official strokes,
people's pen paths and font strokes by ``strokebot train --kind strokes`` (:mod:`strokebot.model.learn`).
A drawn stroke is its centre line with the ink's radius at each point; the tracer turns radius into
pen pressure and steps into velocities.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from strokebot.model.order import FIRST_FEATURES, PLACE_FEATURES, STROKE_FEATURES, Candidates, candidate_features
from strokebot.model.parse import (
    EXCURSION_FEATURES,
    JUNCTION_FEATURES,
    STAY_FEATURES,
    End,
    GlyphContext,
    ParsedStroke,
    assemble,
    cut_back_way,
    excursion_candidates,
    excursion_features,
    junction_features,
    own_ink,
    pair_ends,
    stay_down,
    stay_down_candidates,
    stay_features,
    with_excursions,
)
from strokebot.model.skeleton import StrokeGraph, arc_lengths, stroke_graph

__all__ = [
    "StrokeModel", "StrokeNets", "DrawnStroke", "draw_glyph", "paired_strokes", "parse_glyph", "order_strokes", "likeliest_orders", "keep_down",
    "expected_shapes", "working_scale",
]  # fmt: skip

#: The stroke width (pixels) glyphs are brought to before their centre lines are found: thinner
#: strokes of small glyphs are enlarged (a smoother skeleton), thicker ones reduced (faster, and no
#: spurs from every bump of a broad line).
WORK_WIDTH = (3.0, 7.0)
#: Most a small glyph is enlarged.
MAX_ENLARGE = 4.0


@dataclass
class DrawnStroke:
    """One stroke as drawn: its centre line from where the pen goes down to where it lifts."""

    points: np.ndarray  # (N, 2) x, y in the glyph's pixels
    radius: np.ndarray  # (N,) the ink's radius along it


def _silu(x: np.ndarray) -> np.ndarray:
    return x / (1.0 + np.exp(-np.clip(x, -60, 60)))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -60, 60)))


def _mlp_shapes(prefix: str, inputs: int, hidden: list[int]) -> dict[str, tuple[int, ...]]:
    shapes: dict[str, tuple[int, ...]] = {f"{prefix}.mean": (inputs,), f"{prefix}.scale": (inputs,)}
    widths = [inputs, *hidden, 1]
    for i in range(len(widths) - 1):
        shapes[f"{prefix}.layers.{i}.weight"] = (widths[i + 1], widths[i])
        shapes[f"{prefix}.layers.{i}.bias"] = (widths[i + 1],)
    return shapes


def expected_shapes(config: dict[str, Any]) -> dict[str, tuple[int, ...]]:
    """The weight names and shapes of a stroke model of ``config`` (mirrors :mod:`strokebot.model.learn`)."""
    junction, order, memory = list(config["junction_hidden"]), list(config["order_hidden"]), int(config["memory"])
    shapes = _mlp_shapes("junction", len(JUNCTION_FEATURES), junction)
    if config.get("excursion_hidden"):
        shapes.update(_mlp_shapes("excursion", len(EXCURSION_FEATURES), list(config["excursion_hidden"])))
    if config.get("stay_hidden"):
        shapes.update(_mlp_shapes("stay", len(STAY_FEATURES), list(config["stay_hidden"])))
    inputs = order_features(config)
    for prefix in sequencer_prefixes(config):
        shapes.update(_mlp_shapes(f"{prefix}order", inputs + memory, order))
        if order_context(config) == "place":
            width = PLACE_WIDTH
            shapes.update({f"{prefix}context.query.weight": (width, PLACE_FEATURES), f"{prefix}context.query.bias": (width,),
                           f"{prefix}context.key.weight": (width, PLACE_FEATURES), f"{prefix}context.key.bias": (width,),
                           f"{prefix}context.value.weight": (order[1], order[0]), f"{prefix}context.value.bias": (order[1],)})  # fmt: skip
        if memory:
            shapes.update({f"{prefix}memory.weight_ih": (3 * memory, inputs), f"{prefix}memory.weight_hh": (3 * memory, memory),
                           f"{prefix}memory.bias_ih": (3 * memory,), f"{prefix}memory.bias_hh": (3 * memory,)})  # fmt: skip
    return shapes


def sequencer_prefix(k: int) -> str:
    """The weight-name prefix of a model file's ``k``-th sequencer: ``""`` for the first (``order.*``,
    ``memory.*``, as in every file), ``"seq1."``, ``"seq2."``, ... for the others of an ensemble."""
    return f"seq{k}." if k else ""


def sequencer_prefixes(config: dict[str, Any]) -> list[str]:
    """The weight-name prefixes of a model file's sequencers (``config["sequencers"]``, 1 when the
    file does not say), by :func:`sequencer_prefix`."""
    count = int(config.get("sequencers", 1))
    if count < 1:
        raise ValueError(f"sequencers is {count}: a model needs at least one")
    return [sequencer_prefix(k) for k in range(count)]


def order_features(config: dict[str, Any]) -> int:
    """How many of :data:`~strokebot.model.order.STROKE_FEATURES` (the first ones) the sequencer of a
    model file of ``config`` reads: ``config["order_features"]``, or, in files written before that
    key, :data:`~strokebot.model.order.FIRST_FEATURES`."""
    count = int(config.get("order_features", FIRST_FEATURES))
    if not 0 < count <= len(STROKE_FEATURES):
        raise ValueError(f"order_features is {count}: this strokebot knows {len(STROKE_FEATURES)} sequencer features")
    return count


#: What the candidates of a step of a sequencer see of each other: ``"none"`` (each is scored on its
#: own; the models before strokebot-default 2.8) or ``"place"`` (``learn.PlaceAttention``,
#: MODEL_CARD.md, runs 46b and 47).
ORDER_CONTEXTS = ("none", "place")

#: The width of the queries and keys of a sequencer's attention by place (``order_context="place"``).
PLACE_WIDTH = 16


def order_context(config: dict[str, Any]) -> str:
    """What the candidates of a step of a model file's sequencers see of each other: ``"none"`` (files
    without ``order_context``) or ``"place"`` (:class:`strokebot.model.learn.PlaceAttention`)."""
    return checked_context(str(config.get("order_context", "none")), list(config["order_hidden"]), order_features(config))


def checked_context(context: str, hidden: list[int], features: int) -> str:
    """``context`` when a sequencer of ``hidden`` layers reading ``features`` features can have it
    (attention by place needs two hidden layers and the features of place); else a ValueError."""
    if context not in ORDER_CONTEXTS:
        raise ValueError(f"order_context is {context!r}: this strokebot knows {' and '.join(ORDER_CONTEXTS)}")
    if context == "place" and (len(hidden) < 2 or features < PLACE_FEATURES):
        raise ValueError(f"order_context place needs two hidden layers and the first {PLACE_FEATURES} sequencer features")
    return context


class _MLP:
    """Standardised inputs, SiLU hidden layers, one output: mirrors ``learn.ScoreNet``."""

    def __init__(self, weights: dict[str, np.ndarray], prefix: str) -> None:
        self.mean, self.scale = weights[f"{prefix}.mean"], weights[f"{prefix}.scale"]
        self.layers = []
        i = 0
        while f"{prefix}.layers.{i}.weight" in weights:
            self.layers.append((weights[f"{prefix}.layers.{i}.weight"].T.copy(), weights[f"{prefix}.layers.{i}.bias"]))
            i += 1

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = (np.asarray(x, np.float32) - self.mean) * self.scale
        for k, (weight, bias) in enumerate(self.layers):
            x = x @ weight + bias
            if k < len(self.layers) - 1:
                x = _silu(x)
        return x[:, 0]


class _Sequencers:
    """A model file's sequencers (an ensemble, or one), their weights stacked to run together: each
    a scorer as :class:`_MLP` runs it and a GRU cell as its memory, with a leading axis per sequencer;
    with ``context`` ``"place"``, attention across the candidates by where they lie
    (``learn.PlaceAttention``) added to the second hidden layer."""

    def __init__(self, weights: dict[str, np.ndarray], prefixes: list[str], *, memory: int, context: str = "none") -> None:
        self.count, self.memory = len(prefixes), memory

        def stack(name: str, transpose: bool = False) -> np.ndarray:
            return np.stack([weights[p + name].T if transpose else weights[p + name] for p in prefixes]).astype(np.float32)

        self.mean, self.scale = stack("order.mean")[:, None], stack("order.scale")[:, None]  # (S, 1, F + M)
        self.layers = []
        i = 0
        while f"order.layers.{i}.weight" in weights:
            self.layers.append((stack(f"order.layers.{i}.weight", transpose=True), stack(f"order.layers.{i}.bias")[:, None]))
            i += 1
        if memory:
            self.w_ih, self.w_hh = stack("memory.weight_ih", transpose=True), stack("memory.weight_hh", transpose=True)
            self.b_ih, self.b_hh = stack("memory.bias_ih")[:, None], stack("memory.bias_hh")[:, None]
        self.context = None
        if context == "place":  # (weight (S, in, out), bias (S, 1, out)) of the query, the key and the value
            self.context = [(stack(f"context.{n}.weight", transpose=True), stack(f"context.{n}.bias")[:, None]) for n in ("query", "key", "value")]

    def scores(self, features: np.ndarray, state: np.ndarray) -> np.ndarray:
        """(S, C): each sequencer's score of each candidate, from features (C, F) and states (S, M)."""
        x = np.broadcast_to(np.asarray(features, np.float32), (self.count, *features.shape))
        if self.memory:
            x = np.concatenate([x, np.broadcast_to(state[:, None], (self.count, len(features), self.memory))], axis=2)
        x = (x - self.mean) * self.scale  # (S, C, F + M)
        place = x[..., :PLACE_FEATURES]
        for k, (weight, bias) in enumerate(self.layers):
            hidden = x  # at k == 1, the first hidden layer: the values the attention takes
            x = x @ weight + bias
            if k == 1 and self.context is not None:
                (wq, bq), (wk, bk), (wv, bv) = self.context
                look = (place @ wq + bq) @ (place @ wk + bk).transpose(0, 2, 1) / np.float32(np.sqrt(wq.shape[2]))  # (S, C, C)
                look = np.exp(look - look.max(axis=2, keepdims=True))
                x = x + (look / look.sum(axis=2, keepdims=True)) @ (hidden @ wv + bv)
            if k < len(self.layers) - 1:
                x = _silu(x)
        return x[..., 0]

    def remember(self, features: np.ndarray, state: np.ndarray) -> np.ndarray:
        """(S, M): each sequencer's state after drawing the candidate of ``features`` (F,); a GRU
        cell in torch's gate layout (reset, update, new)."""
        gi = features[None, None] @ self.w_ih + self.b_ih  # (S, 1, 3M)
        gh = state[:, None] @ self.w_hh + self.b_hh
        n = self.memory
        r = _sigmoid(gi[..., :n] + gh[..., :n])
        z = _sigmoid(gi[..., n : 2 * n] + gh[..., n : 2 * n])
        new = np.tanh(gi[..., 2 * n :] + r * gh[..., 2 * n :])
        return ((1 - z) * new + z * state[:, None])[:, 0].astype(np.float32)


class StrokeNets:
    """The junction net and the sequencer of a stroke model file, run with numpy."""

    def __init__(self, config: dict[str, Any], weights: dict[str, np.ndarray]) -> None:
        self.config = config
        self.junction = _MLP(weights, "junction")
        self.excursion = _MLP(weights, "excursion") if "excursion.mean" in weights else None
        self.stay = _MLP(weights, "stay") if "stay.mean" in weights else None
        self.sequencers = _Sequencers(weights, sequencer_prefixes(config), memory=int(config.get("memory", 0)), context=order_context(config))
        self.features = order_features(config)  # the first this many columns of candidate_features
        self.spur = float(config.get("spur", 1.2))
        self.corner = float(config.get("corner", 40.0))

    def join_probability(self, features: np.ndarray) -> np.ndarray:
        return _sigmoid(self.junction(features)) if len(features) else np.zeros(0)

    def excursion_probability(self, features: np.ndarray) -> np.ndarray:
        if self.excursion is None or not len(features):
            return np.zeros(len(features))
        return _sigmoid(self.excursion(features))

    def stay_probability(self, features: np.ndarray) -> np.ndarray:
        if self.stay is None or not len(features):
            return np.zeros(len(features))
        return _sigmoid(self.stay(features))

    def initial_state(self) -> np.ndarray:
        """What the sequencers remember before the first stroke: (memory,) for one sequencer,
        (sequencers, memory) for an ensemble."""
        state = np.zeros((self.sequencers.count, self.sequencers.memory), np.float32)
        return state[0] if self.sequencers.count == 1 else state

    def order_scores(self, features: np.ndarray, state: np.ndarray) -> np.ndarray:
        """Each candidate's score (C,): one sequencer's own, or an ensemble's mean log probability
        (its sequencers' softmaxes over the candidates multiplied; the caller renormalises)."""
        scores = self.sequencers.scores(features[:, : self.features], state.reshape(self.sequencers.count, -1))
        if self.sequencers.count == 1:
            return scores[0]
        scores = scores - scores.max(axis=1, keepdims=True)
        return (scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))).mean(axis=0)

    def remember(self, features: np.ndarray, state: np.ndarray) -> np.ndarray:
        """The state after drawing the candidate whose features are ``features`` (F,)."""
        if not self.sequencers.memory:
            return state
        after = self.sequencers.remember(np.asarray(features, np.float32)[: self.features], state.reshape(self.sequencers.count, -1))
        return after[0] if self.sequencers.count == 1 else after


def junction_pairs(graph: StrokeGraph, context: GlyphContext) -> list[tuple[int, End, End]]:
    """Every pair of branch ends meeting at a node: (node, a, b)."""
    pairs = []
    for node, ends in context.ends.items():
        for i, a in enumerate(ends):
            for b in ends[i + 1 :]:
                if a.branch == b.branch and len(ends) > 2:
                    continue
                pairs.append((node, a, b))
    return pairs


def paired_strokes(graph: StrokeGraph, nets: StrokeNets, context: GlyphContext) -> list[ParsedStroke]:
    """The strokes the junction net's pairs of branch ends make of ``graph``."""
    pairs = junction_pairs(graph, context)
    table: dict[tuple[End, End], float] = {}
    if pairs:
        chance = nets.join_probability(np.stack([junction_features(graph, n, a, b, context) for n, a, b in pairs]))
        for (_, a, b), p in zip(pairs, chance.tolist(), strict=True):
            table[(a, b)] = table[(b, a)] = p
    return assemble(graph, pair_ends(graph, lambda g, node, a, b: table.get((a, b), 0.0)))


def parse_glyph(graph: StrokeGraph, nets: StrokeNets | None, *, context: GlyphContext | None = None) -> list[ParsedStroke]:
    """The glyph's strokes: branch ends paired by the junction net (straight through without nets),
    then dead ends the excursion net picks drawn out and back inside the stroke they meet.

    ``context``: the graph's :class:`GlyphContext`, when the caller has it already."""
    if nets is None:
        from strokebot.model.parse import straight_pairs

        return assemble(graph, straight_pairs(graph))
    context = context or GlyphContext.of(graph)
    strokes = paired_strokes(graph, nets, context)
    if nets.excursion is None:
        return strokes
    candidates = excursion_candidates(graph, strokes)
    if not candidates:
        return strokes
    chance = nets.excursion_probability(np.stack([excursion_features(graph, strokes, x, context) for x in candidates]))
    chosen = [x for p, x in sorted(zip(chance.tolist(), candidates, strict=True), key=lambda c: -c[0]) if p > 0.5]
    return with_excursions(graph, strokes, chosen)


def order_strokes(strokes: list[ParsedStroke], nets: StrokeNets | None, *, beam: int = 4) -> list[ParsedStroke]:
    """The strokes in the order and direction the sequencer draws them (top-left first without nets).

    The sequencer's choices are probabilities (a softmax over the candidates of a step); the
    ``beam`` most likely sequences are followed step by step and the likeliest whole sequence is
    drawn, so an unlikely first choice can still win when it makes the rest likely.
    """
    return toward_next(_beam_search(strokes, nets, beam)[0][1]) if strokes else []


def likeliest_orders(strokes: list[ParsedStroke], nets: StrokeNets | None, *, beam: int = 4) -> list[tuple[float, list[ParsedStroke]]]:
    """The ``beam`` likeliest sequences of ``strokes`` the sequencer's beam ends with (fewer when the
    strokes have fewer), likeliest first: each its log probability and its strokes in drawing order
    and direction, as :func:`order_strokes` draws the first. Without nets, the one rule-of-thumb
    sequence."""
    return [(logp, toward_next(sequence)) for logp, sequence in _beam_search(strokes, nets, beam)] if strokes else []


def _beam_search(strokes: list[ParsedStroke], nets: StrokeNets | None, beam: int) -> list[tuple[float, list[ParsedStroke]]]:
    """The sequences the beam ends with, likeliest first, each its log probability and its strokes
    as the sequencer chose them (before :func:`toward_next`, which only the drawn ones need)."""
    candidates = Candidates.of(strokes)
    if nets is None:
        beam = 1
    # A beam: (log probability, strokes left, last stroke, pen position, state, choices so far).
    beams: list[tuple[float, np.ndarray, int | None, np.ndarray | None, Any, list[int]]] = [
        (0.0, np.arange(len(candidates)), None, None, nets.initial_state() if nets is not None else None, [])
    ]
    for _ in range(len(candidates)):
        grown = []
        for logp, left, last, pen, state, chosen in beams:
            features = candidate_features(candidates, left, last, pen)
            # Without nets: the start nearest the top left.
            scores = -(features[:, 1] + 0.5 * features[:, 0]) if nets is None else nets.order_scores(features, state)
            logs = scores - scores.max()
            logs = logs - np.log(np.exp(logs).sum())
            for best in np.argsort(-logs, kind="stable")[:beam].tolist():
                row = 2 * int(left[best // 2]) + best % 2
                after = nets.remember(features[best], state) if nets is not None else None
                grown.append((logp + float(logs[best]), np.delete(left, best // 2), int(left[best // 2]),
                              candidates.strokes[row].points[-1], after, [*chosen, row]))  # fmt: skip
        beams = sorted(grown, key=lambda b: -b[0])[:beam]
    return [(b[0], [candidates.strokes[row] for row in b[5]]) for b in beams]


#: How long, at most, a stroke drawn out from a node the next stroke also starts from may be, as a
#: share of the next one's length, for :func:`toward_next` to turn it round: a curl, not a stroke of
#: its own. Where two strokes that share a start are more alike in length (厂's bar and its sweep, 口's
#: side and its top; in the drawings of 650 KanjiVG, people's and Hershey glyphs, 0.17 of the other's
#: length and more), which goes first and which way is the conventions' to say (MODEL_CARD.md, run 41).
CURL_SHARE = 0.1


def toward_next(strokes: list[ParsedStroke]) -> list[ParsedStroke]:
    """``strokes`` (in drawing order), a short one drawn out from a node the next stroke also
    starts from turned round to end there: the pen draws into the node and goes on (a spiral's
    curled-in centre, then the spiral), rather than out to the curl's tip and back. Not where the
    stroke before ends on that node (that join stays), nor for a stroke longer than
    :data:`CURL_SHARE` of the next one."""
    strokes = list(strokes)
    for k in range(len(strokes) - 1):
        stroke, after = strokes[k], strokes[k + 1]
        if stroke.closed or not stroke.nodes or not after.nodes or stroke.nodes[0] != after.nodes[0] or stroke.nodes[-1] == stroke.nodes[0]:
            continue
        if stroke.length > CURL_SHARE * after.length or (k and strokes[k - 1].nodes and strokes[k - 1].nodes[-1] == stroke.nodes[0]):
            continue
        strokes[k] = stroke.reversed()
    return strokes


#: The stay net's chance above which the pen stays down along a way that draws a line twice. Not one
#: half: a needless lift costs a moment, a wrong stay draws a line twice (a kanji's bar retraced to
#: reach the next stroke), so there the pen stays down only where the net is fairly sure
#: (MODEL_CARD.md, run 16) ...
STAY_CONFIDENCE = 0.7
#: ... and where the strokes meet, or only a blob at a corner lies between them (which the pen cuts
#: across, :func:`~strokebot.model.parse.cut_back_way`), a wrong stay draws nothing twice: the net's
#: even odds decide (run 34).
MEET_CONFIDENCE = 0.5


def stay_confidence(graph: StrokeGraph, first: ParsedStroke, second: ParsedStroke, way: tuple[float, list[tuple[int, bool]]]) -> float:
    """The stay net's chance above which the pen stays down from ``first`` to ``second`` along ``way``:
    :data:`STAY_CONFIDENCE` where it would draw a line twice, else :data:`MEET_CONFIDENCE`."""
    return STAY_CONFIDENCE if cut_back_way(graph, first, second, way[1])[2] else MEET_CONFIDENCE


def keep_down(
    graph: StrokeGraph, sequence: list[ParsedStroke], nets: StrokeNets | None, *, context: GlyphContext | None = None
) -> list[ParsedStroke]:
    """The strokes in order, joined where the stay net keeps the pen down along the ink between them
    (chance above :func:`stay_confidence`); ``context`` as for :func:`parse_glyph`."""
    if nets is None or nets.stay is None or len(sequence) < 2:
        return sequence
    candidates = stay_down_candidates(graph, sequence)
    if not candidates:
        return sequence
    context = context or GlyphContext.of(graph)
    features = np.stack([stay_features(graph, sequence[i], sequence[i + 1], way, context) for i, way in candidates])
    chance = nets.stay_probability(features).tolist()
    joins = [(i, way) for (i, way), p in zip(candidates, chance, strict=True) if p > stay_confidence(graph, sequence[i], sequence[i + 1], way)]
    return stay_down(graph, sequence, joins)


#: A turn sharper than this many degrees is a reversal: the pen goes back the way it came.
REVERSAL = 155.0


def _turns(points: np.ndarray) -> np.ndarray:
    """Degrees the path turns at each interior point (N - 2,)."""
    a, b = points[1:-1] - points[:-2], points[2:] - points[1:-1]
    norms = np.hypot(*a.T) * np.hypot(*b.T)
    cosine = np.where(norms > 1e-12, (a * b).sum(axis=1) / np.maximum(norms, 1e-12), 1.0)
    return np.degrees(np.arccos(np.clip(cosine, -1.0, 1.0)))


def _back_run(points: np.ndarray, k: int, step: int) -> tuple[float, int]:
    """From the reversal at ``k``, how far the path runs back against the way it arrived (walking
    in ``step`` +1 or -1), and the index where it stops running back."""
    arrival = points[k] - points[k - step]
    arrival = arrival / max(float(np.hypot(*arrival)), 1e-12)
    length, j = 0.0, k + step
    while 0 <= j < len(points) and (points[j] - points[j - step]) @ arrival < 0:
        length += float(np.hypot(*(points[j] - points[j - step])))
        j += step
    return length, j - step


def without_hooks(points: np.ndarray, radius: np.ndarray, *, hook: float) -> tuple[np.ndarray, np.ndarray]:
    """A stroke without the short back-and-forth moves thinning leaves at tight curls and forks.

    At a reversal (a turn sharper than :data:`REVERSAL`) the path runs back against the way it came;
    when it does so for at most ``hook`` pixels, on either side, the tip and that short run back are
    a hook, and are cut away. A long retrace (a pen going out along a stem and back) is kept.
    """
    points, radius = np.asarray(points), np.asarray(radius)
    for _ in range(len(points)):
        if len(points) < 3:
            break
        sharp = np.flatnonzero(_turns(points) > REVERSAL) + 1
        removed = False
        for k in sharp.tolist():
            ahead, stop_ahead = _back_run(points, k, +1)
            behind, stop_behind = _back_run(points, k, -1)
            if min(ahead, behind) > hook:
                continue
            # Drop the tip and the short run back, up to (not including) where it stops running back.
            drop = range(k, stop_ahead) if ahead <= behind else range(stop_behind + 1, k + 1)
            keep = np.ones(len(points), bool)
            keep[list(drop)] = False
            if keep.sum() >= 2:
                points, radius = points[keep], radius[keep]
                removed = True
                break
        if not removed:
            break
    return points, radius


def _dense(stroke: DrawnStroke, spacing: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """A stroke's centre line sampled every ``spacing`` pixels or closer, with its radius there."""
    along = arc_lengths(stroke.points)
    at = np.linspace(0.0, along[-1], max(2, int(np.ceil(along[-1] / spacing)) + 1))
    points = np.column_stack([np.interp(at, along, stroke.points[:, 0]), np.interp(at, along, stroke.points[:, 1])])
    return points, np.interp(at, along, stroke.radius)


def without_covered_dots(strokes: list[DrawnStroke]) -> list[DrawnStroke]:
    """The strokes without dots that add little ink: a stroke no longer than the pen is wide whose
    every point lies inside the line another stroke draws, so that more than half its pen tap is
    drawn already. A hole in chalk or in a scan's texture, or a bump on a ragged edge, thins to a
    speck of centre line inside a thick stroke; a plotter's pen would lift for it and draw at most
    a sliver. A dot apart from the other strokes (an i's) is kept: its centre lies off their ink."""
    if len(strokes) < 2:
        return strokes
    pen = 2.0 * float(np.median(np.concatenate([s.radius for s in strokes])))
    dots = [k for k, s in enumerate(strokes) if float(np.ptp(s.points, axis=0).max()) <= pen]
    if not dots:
        return strokes
    from scipy.spatial import cKDTree

    dropped: set[int] = set()
    for k in dots:
        lines = [_dense(s) for j, s in enumerate(strokes) if j != k and j not in dropped]
        if not lines:  # every other stroke was a dot dropped already: this one is the drawing
            continue
        points, radius = np.vstack([p for p, _ in lines]), np.concatenate([r for _, r in lines])
        near = cKDTree(points).query_ball_point(strokes[k].points, r=float(radius.max()))
        # Each point of the dot lies inside some other line: within that line's radius of its centre.
        inside = [len(js) > 0 and bool((np.hypot(*(points[js] - p).T) <= radius[js]).any()) for p, js in zip(strokes[k].points, near, strict=True)]
        if all(inside):
            dropped.add(k)
    return [s for k, s in enumerate(strokes) if k not in dropped]


def draw_glyph(ink: np.ndarray, nets: StrokeNets | None, *, threshold: float = 0.5) -> list[DrawnStroke]:
    """A glyph's ink (H, W; paper 0) drawn as strokes, in the glyph's pixels."""
    graph = stroke_graph(ink, threshold=threshold, spur=nets.spur if nets else 1.2, corner=nets.corner if nets else 40.0)
    context = GlyphContext.of(graph) if nets is not None else None
    sequence = keep_down(graph, order_strokes(parse_glyph(graph, nets, context=context), nets), nets, context=context)
    drawn = []
    for stroke in sequence:
        points, radius = without_hooks(stroke.points, stroke.radius, hook=2.0 * float(np.median(stroke.radius)) + 1.0)
        drawn.append(DrawnStroke(points, own_width(ink, points, radius)))
    return without_covered_dots(drawn)


def own_width(ink: np.ndarray, points: np.ndarray, radius: np.ndarray) -> np.ndarray:
    """A drawn stroke's radius (its pressure) where the ink across it is its own, carried along the
    line over crossings, junctions and sharp turns, where other ink widens the cross-section.

    The pen does not press harder where it crosses another line: measured there, KanjiVG's strokes,
    all of one width, came out 7.1 % off their median width on average along their length (2.5 %
    this way). The radius is the parse's where the cross-section is the line's alone
    (:func:`~strokebot.model.skeleton.ink_centre`) and agrees with the ink measured afresh there
    (the parse smoothed it along the line, spreading a crossing's width to its sides); elsewhere it
    is interpolated along the line. A stroke whose own ink swells or tapers keeps it.
    """
    if len(points) < 3:
        return radius
    _, alone, width = own_ink(ink, points, radius)
    alone &= np.abs(radius - width / 2) <= 0.15 * radius
    if alone.sum() < 2:
        return radius
    along = arc_lengths(points)
    return np.interp(along, along[alone], radius[alone])


def working_scale(ink: np.ndarray) -> float:
    """How much to scale a glyph's ink before drawing it (see :data:`WORK_WIDTH`)."""
    from strokebot.imaging import stroke_width

    width = stroke_width(ink)
    low, high = WORK_WIDTH
    if width > high:
        return high / width
    if width < low:
        return min(low / width, MAX_ENLARGE)
    return 1.0


def _scaled(ink: np.ndarray, factor: float) -> tuple[np.ndarray, np.ndarray]:
    """``ink`` resized by about ``factor``, and the exact (x, y) factors of its pixel grid."""
    from PIL import Image

    height, width = ink.shape
    size = (max(1, int(round(width * factor))), max(1, int(round(height * factor))))
    method = Image.BILINEAR if factor > 1 else Image.BOX
    scaled = np.asarray(Image.fromarray(np.asarray(ink, np.float32), "F").resize(size, method), np.float32)
    return scaled, np.array([size[0] / width, size[1] / height])


class StrokeModel:
    """A trained stroke model run with numpy: what :func:`strokebot.load_model` returns for one.

    >>> import strokebot, numpy as np
    >>> model = strokebot.load_model()
    >>> ink = np.zeros((60, 80), np.float32); ink[28:33, 10:70] = 1  # a horizontal bar
    >>> [s.points[0].round().tolist() for s in model.draw(ink)]  # one stroke, from the left
    [[12.0, 30.0]]
    """

    kind = "strokes"

    def __init__(self, source: Any) -> None:
        self.file = source
        self.config: dict[str, Any] = source.config
        self.metrics = source.metrics
        self.nets = StrokeNets(source.config, source.weights)
        self.size = 28  # the side of a framed glyph, as MNIST (for normalised inputs)

    @property
    def name(self) -> str:
        return self.file.name

    def __repr__(self) -> str:
        return f"StrokeModel({self.name!r})"

    def draw(self, ink: np.ndarray, *, threshold: float = 0.5) -> list[DrawnStroke]:
        """One glyph's ink (H, W; paper 0, ink 1) as strokes in drawing order, in its pixels.

        The glyph is first brought to a working scale (:func:`working_scale`); points and radii
        are given back in the input's pixels.
        """
        ink = np.asarray(ink, np.float32)
        factor = working_scale(ink)
        if factor == 1.0:
            return draw_glyph(ink, self.nets, threshold=threshold)
        work, scale = _scaled(ink, factor)
        return [DrawnStroke(s.points / scale, s.radius / scale.mean()) for s in draw_glyph(work, self.nets, threshold=threshold)]
