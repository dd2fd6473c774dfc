"""Training the stroke model (torch): the junction net, the excursion net, then the sequencer.

Training glyphs are images with their true strokes (:class:`strokebot.datasets.GlyphSample`). For each,
the stroke graph is built exactly as tracing builds it, and the true strokes label it
(:mod:`strokebot.model.truth`):

1. **junction net** — every pair of branch ends meeting at a node is an example: its
   :data:`~strokebot.model.parse.JUNCTION_FEATURES`, and 1 when a true stroke passes through from one to
   the other. Binary cross-entropy.
2. **excursion net** — the glyph is parsed with the trained junction net; every stroke with a free
   end that meets a stroke passing its junction is an example
   (:data:`~strokebot.model.parse.EXCURSION_FEATURES`), 1 when the true strokes draw both in one go
   (the pen goes out along the dead end and back). Binary cross-entropy.
3. **stay net** — the glyph is parsed with both; every two consecutive strokes of the true sequence
   that the ink connects are an example (:data:`~strokebot.model.parse.STAY_FEATURES`), 1 when they
   are one true stroke: the pen did not lift between them. Binary cross-entropy.
4. **sequencer** — the glyph is parsed with the trained junction and excursion nets (so the sequencer learns on the
   strokes it will really see, mistakes included), each parsed stroke gets its true place and
   direction, and every step of the true sequence is an example: the candidates left
   (:func:`~strokebot.model.order.candidate_features`) and which of them, in which direction, comes
   next. Cross-entropy over the candidates of a step (teacher forcing); the GRU's state before a step
   is run over the candidates truly drawn before it. With ``order_context="place"`` (the default) a
   candidate's second hidden layer also sees the other candidates of its step, weighted by where
   they lie (:class:`PlaceAttention`).

Both nets standardise their inputs with the training set's mean and spread, stored with the weights.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

from strokebot.model.examples import (
    JunctionExamples,
    OrderExamples,
    excursion_examples,
    junction_examples,
    order_examples,
    stay_and_order_examples,
)
from strokebot.model.order import PLACE_FEATURES, STROKE_FEATURES
from strokebot.model.parse import EXCURSION_FEATURES, JUNCTION_FEATURES, STAY_FEATURES
from strokebot.model.strokes import PLACE_WIDTH, StrokeNets, checked_context, sequencer_prefix

__all__ = ["load_samples", "StrokeConfig", "ScoreNet", "PlaceAttention", "Sequencer", "train_strokes"]


@dataclass
class StrokeConfig:
    """The stroke model's shape and how tracing builds its graphs."""

    junction_hidden: tuple[int, ...] = (64, 64)
    excursion_hidden: tuple[int, ...] = (32, 32)  # empty: no excursions
    stay_hidden: tuple[int, ...] = (32, 32)  # empty: the pen lifts between every two strokes
    order_hidden: tuple[int, ...] = (96, 96)
    memory: int = 32  # GRU state of the sequencer; 0 for none
    sequencers: int = 3  # sequencers trained with seeds seed, seed + 1, ...; tracing multiplies their choices
    order_context: str = "place"  # one of strokebot.model.strokes.ORDER_CONTEXTS
    spur: float = 1.2
    corner: float = 40.0
    name: str = "strokebot"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": "strokes",
            "junction_hidden": list(self.junction_hidden),
            "excursion_hidden": list(self.excursion_hidden),
            "stay_hidden": list(self.stay_hidden),
            "order_hidden": list(self.order_hidden),
            "memory": self.memory,
            "sequencers": self.sequencers,
            **({"order_context": self.order_context} if self.order_context != "none" else {}),  # files without it: "none"
            "order_features": len(STROKE_FEATURES),
            "spur": self.spur,
            "corner": self.corner,
            "name": self.name,
        }


class ScoreNet(nn.Module):
    """Standardised inputs, SiLU hidden layers, one score (the numpy runner mirrors it)."""

    def __init__(self, inputs: int, hidden: Sequence[int]) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(inputs))
        self.register_buffer("scale", torch.ones(inputs))
        widths = [inputs, *hidden, 1]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths[:-1], widths[1:], strict=True))

    def standardise_to(self, x: Tensor) -> None:
        """Set the input statistics from examples ``x`` (N, inputs)."""
        self.mean.copy_(x.mean(dim=0))
        self.scale.copy_(1.0 / x.std(dim=0).clamp_min(1e-3))

    def forward(self, x: Tensor, second: Callable[[Tensor, Tensor], Tensor] | None = None) -> Tensor:
        """Scores (...,) of inputs (..., inputs); ``second(standardised inputs, first hidden layer)``, when
        given, is added to the second layer before its activation (a sequencer's :class:`PlaceAttention`)."""
        x = standardised = (x - self.mean) * self.scale
        for k, layer in enumerate(self.layers):
            first, x = x, layer(x)
            if k == 1 and second is not None:
                x = x + second(standardised, first)
            if k < len(self.layers) - 1:
                x = nn.functional.silu(x)
        return x[..., 0]


class PlaceAttention(nn.Module):
    """One head of attention across the candidates of a step, added to each one's second hidden layer.

    Whom a candidate looks at is decided by where the candidates lie alone: queries and keys of
    ``width`` from their first :data:`~strokebot.model.order.PLACE_FEATURES` standardised features
    (start, end, centre, box, length), so that it learns relations of place (the stroke a candidate
    hangs from, the one beside it), not a character's whole look; what it takes from them (the
    values) is their first hidden layer. The numpy runner mirrors it (``strokes._Sequencers``).
    """

    def __init__(self, hidden: Sequence[int], width: int = PLACE_WIDTH) -> None:
        super().__init__()
        self.query, self.key = nn.Linear(PLACE_FEATURES, width), nn.Linear(PLACE_FEATURES, width)
        self.value = nn.Linear(hidden[0], hidden[1])

    def forward(self, place: Tensor, first: Tensor, mask: Tensor) -> Tensor:
        """(N, C, hidden[1]) from the candidates' standardised places (N, C, P), first hidden layers
        (N, C, hidden[0]) and ``mask`` (N, C) of the real ones."""
        look = self.query(place) @ self.key(place).transpose(1, 2) / self.query.out_features**0.5  # (N, C, C)
        return look.masked_fill(~mask[:, None, :], -1e9).softmax(-1) @ self.value(first)


class Sequencer(nn.Module):
    """Scores candidates from their features and, with ``memory``, a GRU state of what was drawn;
    with ``context="place"``, each also from the others of its step (:class:`PlaceAttention`)."""

    def __init__(self, hidden: Sequence[int], memory: int, features: int = len(STROKE_FEATURES), context: str = "none") -> None:
        super().__init__()
        checked_context(context, list(hidden), features)
        self.order = ScoreNet(features + memory, hidden)
        self.memory = nn.GRUCell(features, memory) if memory else None
        self.size = memory
        self.context = PlaceAttention(hidden) if context == "place" else None  # made last: the others start as without it

    def states(self, chosen: Tensor, lengths: Tensor) -> Tensor:
        """States before each step (B, T, M) from the features of the candidates drawn (B, T, F)."""
        batch, steps, _ = chosen.shape
        h = chosen.new_zeros(batch, self.size)
        states = []
        for t in range(steps):
            states.append(h)
            if self.memory is not None:
                h = self.memory(chosen[:, t], h)
        return torch.stack(states, dim=1)  # (B, T, M)

    def score(self, inputs: Tensor, mask: Tensor) -> Tensor:
        """(N, C) scores of N steps' candidates, from their features and states (N, C, F + M); ``mask``
        (N, C) marks the real candidates."""
        n, c, width = inputs.shape
        if self.context is None:
            return self.order(inputs.reshape(-1, width)).reshape(n, c)
        context = self.context
        return self.order(inputs, lambda x, first: context(x[..., :PLACE_FEATURES], first, mask))


# -- training data ---------------------------------------------------------------------------------

#: KanjiVG's training characters are drawn with a pen this many times KanjiVG's own width (up to
#: 2.2 was tried for bold characters: MODEL_CARD.md, run 36).
KANJIVG_PENS = (0.6, 1.6)


def load_samples(specs: Sequence[str], *, seed: int = 0, log: Callable[[str], None] = print) -> list[Any]:
    """Training glyphs with their true strokes, for the data specs of
    :data:`strokebot.model.data_help.DATA_HELP`."""
    from strokebot import datasets
    from strokebot.errors import UsageError

    samples: list[Any] = []
    for spec in specs:
        name, _, count_text = spec.partition(":")
        try:
            count = int(count_text) if count_text else None
        except ValueError:
            raise UsageError(f"--data {spec}: COUNT must be a whole number") from None
        started = time.perf_counter()
        rng = np.random.default_rng(seed)
        if name == "kanjivg":
            characters = [c for c in datasets.kanjivg_characters() if datasets.kanjivg_split(c) == "train"]
            order = rng.permutation(len(characters))[: count or len(characters)]
            part = []
            for k in order.tolist():
                part += datasets.kanjivg_glyphs(characters=[characters[k]], scale=rng.uniform(0.8, 2.4), jitter=1.0, pens=KANJIVG_PENS, seed=seed + k)
        elif name == "letters":
            part = _letters(count or 600, rng, seed)
        elif name == "latin":
            part = _letters(count or 600, rng, seed, latin=True)
        elif name == "omniglot":
            part = _omniglot(count, rng)
        elif name == "hershey":
            part = datasets.hershey_glyphs(count or 2000, seed=seed + 1, sizes=(64, 256))
        elif name == "words":
            part = _words(count or 300, rng)
        elif name == "shapes":
            part = datasets.shape_glyphs(count or 300, seed=seed + 2)
        else:
            raise UsageError(f"--data {spec}: not one of kanjivg, letters, latin, omniglot, hershey, words, shapes (see --help)")
        log(f"{spec}: {len(part):,} glyphs ({time.perf_counter() - started:.0f} s)")
        samples += part
    return samples


#: Labels of training glyphs that teach the sequencer only (which stroke next, which way), not the
#: junction, excursion and stay nets (which branches are one stroke, where the pen lifts): KanjiVG's
#: Latin letters (``letters``) are drawn as Japanese schools teach them, in the order and direction
#: of most Latin hands (a t's stem, then its bar) but with a pen lift at every corner (a V in two
#: strokes, a W in four), which most Latin hands do not make (MODEL_CARD.md, run 42b).
ORDER_ONLY = "letters:"


def _letters(count: int, rng: np.random.Generator, seed: int, *, latin: bool = False) -> list[Any]:
    """KanjiVG's Latin letters and digits of its training split, over and over, each time drawn
    with another scale, pen and distortion: ``count`` glyphs, labelled :data:`ORDER_ONLY` + the letter.

    With ``latin``, their strokes are joined where a Latin hand goes on (:func:`strokebot.datasets.latin_hand`:
    a V, W, L or Z in one stroke) and they teach every net, labelled ``latin:`` + the letter.
    """
    from strokebot import datasets

    characters = [c for c in datasets.kanjivg_characters() if c.isascii() and c.isalnum() and datasets.kanjivg_split(c) == "train"]
    part = []
    for k in range(count):
        char = characters[k % len(characters)]
        (sample,) = datasets.kanjivg_glyphs(characters=[char], scale=rng.uniform(0.8, 2.4), jitter=1.0, pens=KANJIVG_PENS, seed=seed + 100_000 + k)
        if latin:
            part.append(dataclasses.replace(sample, strokes=datasets.latin_hand(datasets.kanjivg_strokes(char), drawn=sample.strokes), label="latin:" + char))
        else:
            part.append(dataclasses.replace(sample, label=ORDER_ONLY + char))
    return part


def _omniglot(count: int | None, rng: np.random.Generator) -> list[Any]:
    """The Omniglot training split as drawn; beyond its size, its pen paths drawn again with a
    random pen width and a random affine and elastic distortion."""
    from strokebot import datasets

    glyphs = datasets.omniglot_glyphs(split="train")
    extra = []
    for k in range(max(0, (count or len(glyphs)) - len(glyphs))):
        sample = glyphs[k % len(glyphs)]
        extra.append(datasets.redrawn(sample, rng, elastic=0.7))
    return glyphs[: count or len(glyphs)] + extra


#: The words of the ``words`` training data; the evaluation's (``strokebot.evaluate.EVALUATION_WORDS``) are others.
TRAINING_WORDS = ("minimum", "little", "writing", "hello", "quick", "brown", "jumps", "lazy", "dog", "pen", "plotter",
                  "stroke", "joined", "cursive", "letter", "tiny", "quill", "ink", "paper", "robot", "arm")  # fmt: skip


def _words(count: int, rng: np.random.Generator) -> list[Any]:
    from strokebot import datasets

    samples = []
    for _ in range(count):
        text = " ".join(rng.choice(TRAINING_WORDS, size=int(rng.integers(1, 3))))
        rng.choice(2)  # once a choice of font, between two names of one (datasets.SCRIPT_FONT): the data stays as it was
        samples.append(datasets.hershey_words(text, font=datasets.SCRIPT_FONT, height=float(rng.uniform(40, 90)), pen=float(rng.uniform(2.5, 7))))
    return samples


# -- training --------------------------------------------------------------------------------------


def _fit_scorer(
    examples: JunctionExamples, inputs: int, hidden: Sequence[int], *, name: str, epochs: int, seed: int, log: Callable[[str], None]
) -> ScoreNet:
    """A yes/no net on examples' features and labels (binary cross-entropy)."""
    torch.manual_seed(seed)
    net = ScoreNet(inputs, hidden)
    x = torch.from_numpy(examples.features)
    y = torch.from_numpy(examples.labels)
    net.standardise_to(x)
    optimiser = torch.optim.AdamW(net.parameters(), lr=3e-3, weight_decay=1e-4)
    batch = 512
    epochs = max(epochs, math.ceil(1500 / math.ceil(len(x) / batch)))  # a small set gets as many updates as a big one
    steps = epochs * math.ceil(len(x) / batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=3e-3, total_steps=max(steps, 1))
    generator = torch.Generator().manual_seed(seed)
    for epoch in range(epochs):
        order = torch.randperm(len(x), generator=generator)
        total = 0.0
        for first in range(0, len(x), batch):
            index = order[first : first + batch]
            loss = nn.functional.binary_cross_entropy_with_logits(net(x[index]), y[index])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            total += float(loss.detach()) * len(index)
        if (epoch + 1) % max(1, epochs // 8) == 0 or epoch + 1 == epochs:
            with torch.no_grad():
                accuracy = float(((net(x) > 0) == (y > 0.5)).float().mean())
            log(f"{name} net: epoch {epoch + 1}/{epochs}, loss {total / len(x):.4f}, accuracy {accuracy:.4f}")
    return net.eval()


def _order_batch(glyphs: Sequence[list[tuple[np.ndarray, int]]]) -> tuple[Tensor, Tensor, Tensor, Tensor, Tensor]:
    """Padded tensors for a batch of glyph sequences.

    Returns candidates (B, T, C, F), their mask (B, T, C), the true choice (B, T), the step mask
    (B, T) and the chosen candidates' features (B, T, F).
    """
    steps = max(len(g) for g in glyphs)
    width = max(len(f) for g in glyphs for f, _ in g)
    count = glyphs[0][0][0].shape[1]  # the features per candidate
    candidates = np.zeros((len(glyphs), steps, width, count), np.float32)
    mask = np.zeros((len(glyphs), steps, width), bool)
    choice = np.zeros((len(glyphs), steps), np.int64)
    valid = np.zeros((len(glyphs), steps), bool)
    chosen = np.zeros((len(glyphs), steps, count), np.float32)
    for b, glyph in enumerate(glyphs):
        for t, (features, target) in enumerate(glyph):
            candidates[b, t, : len(features)] = features
            mask[b, t, : len(features)] = True
            choice[b, t] = target
            valid[b, t] = True
            chosen[b, t] = features[target]
    return tuple(torch.from_numpy(a) for a in (candidates, mask, choice, valid, chosen))  # type: ignore[return-value]


def _order_loss(sequencer: Sequencer, batch: tuple[Tensor, ...]) -> tuple[Tensor, Tensor]:
    """Cross-entropy and next-stroke accuracy of ``batch``: :func:`_order_batch`'s tensors, then any
    more that the scorer's ``score`` takes after the mask, one row per step (B × T, ...)."""
    candidates, mask, choice, valid, chosen, *extra = batch
    b, t, c, f = candidates.shape
    states = sequencer.states(chosen, valid.sum(1))  # (B, T, M)
    inputs = torch.cat([candidates, states[:, :, None].expand(b, t, c, sequencer.size)], dim=-1)
    scores = sequencer.score(inputs.reshape(b * t, c, f + sequencer.size), mask.reshape(b * t, c), *extra).reshape(b, t, c)
    scores = scores.masked_fill(~mask, -1e9)
    loss = nn.functional.cross_entropy(scores[valid], choice[valid])
    right = (scores.argmax(-1) == choice)[valid].float().mean()
    return loss, right


def _fit_sequencer(
    examples: OrderExamples,
    config: StrokeConfig,
    *,
    epochs: int,
    seed: int,
    log: Callable[[str], None],
    make: Callable[..., Sequencer] = Sequencer,
    batch: Callable[[list[int]], tuple[Tensor, ...]] | None = None,
    watch: Callable[[int, Sequencer], None] | None = None,
) -> Sequencer:
    """A sequencer trained on ``examples``; ``make(hidden, memory, features=..., context=...)`` builds it
    (another design of scorer, for research: ``benchmarks/leads/sequencer_context.py``), and
    ``batch(glyph numbers)``, when given, pads a batch as :func:`_order_batch` does, with whatever
    more that scorer reads (:func:`_order_loss`; ``benchmarks/leads/sequencer_relations.py``).
    ``watch(epoch, sequencer)``, when given, sees the sequencer in eval mode after every epoch
    (from 1): how it does on glyphs it does not learn from, as it learns
    (``benchmarks/leads/unseen_alphabets.py --curve``)."""
    torch.manual_seed(seed)
    rows = np.concatenate([f for g in examples.glyphs for f, _ in g])
    width = rows.shape[1]  # all of STROKE_FEATURES, or their first ones (to compare with older sequencers)
    sequencer = make(config.order_hidden, config.memory, features=width, context=config.order_context)
    with torch.no_grad():
        stats = torch.from_numpy(rows)
        sequencer.order.mean[:width] = stats.mean(0)
        sequencer.order.scale[:width] = 1.0 / stats.std(0).clamp_min(1e-3)
    optimiser = torch.optim.AdamW(sequencer.parameters(), lr=2e-3, weight_decay=1e-4)
    size = 64
    # Glyphs with similar step counts batch together: little padding.
    by_length = sorted(range(len(examples)), key=lambda i: len(examples.glyphs[i]))
    batches = [by_length[i : i + size] for i in range(0, len(by_length), size)]
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, max_lr=2e-3, total_steps=max(epochs * len(batches), 1))
    rng = np.random.default_rng(seed)
    # Once, not every epoch.
    padded = [batch(chosen) if batch else _order_batch([examples.glyphs[i] for i in chosen]) for chosen in batches]
    for epoch in range(epochs):
        total, right, count = 0.0, 0.0, 0
        for k in rng.permutation(len(batches)):
            tensors = padded[k]
            loss, accuracy = _order_loss(sequencer, tensors)
            optimiser.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(sequencer.parameters(), 1.0)
            optimiser.step()
            schedule.step()
            steps = int(tensors[3].sum())
            total, right, count = total + float(loss.detach()) * steps, right + float(accuracy) * steps, count + steps
        log(f"sequencer: epoch {epoch + 1}/{epochs}, loss {total / max(count, 1):.4f}, next-stroke accuracy {right / max(count, 1):.4f}")
        if watch is not None:
            watch(epoch + 1, sequencer.eval())
            sequencer.train()
    return sequencer.eval()


def export_weights(
    junction: ScoreNet,
    sequencers: Sequence[Sequencer] = (),
    excursion: ScoreNet | None = None,
    stay: ScoreNet | None = None,
) -> dict[str, np.ndarray]:
    """The nets' weights by the names of a model file: the first sequencer's as ``order.*`` and
    ``memory.*``, an ensemble's others under ``seq1.``, ``seq2.``, ... (:func:`strokebot.model.strokes.sequencer_prefix`)."""
    weights = {f"junction.{k}": v.detach().numpy().copy() for k, v in junction.state_dict().items()}
    for name, net in (("excursion", excursion), ("stay", stay)):
        if net is not None:
            weights.update({f"{name}.{k}": v.detach().numpy().copy() for k, v in net.state_dict().items()})
    for i, sequencer in enumerate(sequencers):
        weights.update({sequencer_prefix(i) + k: v.detach().numpy().copy() for k, v in sequencer.state_dict().items()})
    return weights


def train_strokes(
    samples: Sequence[Any],
    config: StrokeConfig | None = None,
    *,
    junction_epochs: int = 8,
    order_epochs: int = 12,
    seed: int = 0,
    workers: int = 1,
    log: Callable[[str], None] = print,
) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """Train both nets on ``samples``; returns the model file's config and weights.

    ``workers`` processes build the examples (the graphs and their labels), the slow part. Samples
    labelled :data:`ORDER_ONLY` teach the sequencers only; their examples come after the others'.
    """
    config = config or StrokeConfig()
    order_only = [s for s in samples if str(getattr(s, "label", "")).startswith(ORDER_ONLY)]
    samples = [s for s in samples if not str(getattr(s, "label", "")).startswith(ORDER_ONLY)]
    if order_only and not samples:
        from strokebot.errors import UsageError

        raise UsageError("--data letters teaches the sequencers only: train with other data beside it (kanjivg, omniglot, ...)")
    started = time.perf_counter()

    def elapsed() -> str:
        return f"{time.perf_counter() - started:.0f} s"

    junctions = junction_examples(samples, spur=config.spur, corner=config.corner, workers=workers)
    log(f"junction examples: {len(junctions.labels):,} pairs from {len(samples):,} glyphs, {junctions.labels.mean():.1%} joined ({elapsed()})")
    junction = _fit_scorer(junctions, len(JUNCTION_FEATURES), config.junction_hidden, name="junction", epochs=junction_epochs, seed=seed, log=log)
    excursion = None
    if config.excursion_hidden:
        parser = _parser(config, export_weights(junction), excursions=False)
        found = excursion_examples(samples, parser, spur=config.spur, corner=config.corner, workers=workers)
        log(f"excursion examples: {len(found.labels):,} dead ends, {found.labels.mean() if len(found.labels) else 0:.1%} drawn in one go ({elapsed()})")
        if len(found.labels) >= 10:
            excursion = _fit_scorer(found, len(EXCURSION_FEATURES), config.excursion_hidden, name="excursion", epochs=junction_epochs, seed=seed, log=log)
    if excursion is None:
        config = dataclasses.replace(config, excursion_hidden=())
    parser = _parser(config, export_weights(junction, excursion=excursion), excursions=True)
    found, examples = stay_and_order_examples(samples, parser, spur=config.spur, corner=config.corner, workers=workers)
    if order_only:
        examples = OrderExamples(examples.glyphs + order_examples(order_only, parser, spur=config.spur, corner=config.corner, workers=workers).glyphs)
    log(f"sequencer examples: {sum(len(g) for g in examples.glyphs):,} steps from {len(examples):,} glyphs; "
        f"stay examples: {len(found.labels):,} pairs of strokes, {found.labels.mean() if len(found.labels) else 0:.1%} without a lift ({elapsed()})")  # fmt: skip
    stay = None
    if config.stay_hidden and len(found.labels) >= 10:
        stay = _fit_scorer(found, len(STAY_FEATURES), config.stay_hidden, name="stay", epochs=junction_epochs, seed=seed, log=log)
    if stay is None:
        config = dataclasses.replace(config, stay_hidden=())
    sequencers = []
    for k in range(config.sequencers):
        if config.sequencers > 1:
            log(f"sequencer {k + 1} of {config.sequencers} (seed {seed + k})")
        sequencers.append(_fit_sequencer(examples, config, epochs=order_epochs, seed=seed + k, log=log))
    return config.as_dict(), export_weights(junction, sequencers, excursion, stay)


def _parser(config: StrokeConfig, weights: dict[str, np.ndarray], *, excursions: bool) -> StrokeNets:
    """Nets that parse glyphs with the nets trained so far (the sequencer's weights are blanks)."""
    from strokebot.model.strokes import expected_shapes

    settings = dict(config.as_dict(), stay_hidden=[], sequencers=1)
    if not excursions:
        settings["excursion_hidden"] = []
    blanks = {k: np.zeros(shape, np.float32) for k, shape in expected_shapes(settings).items() if k not in weights}
    return StrokeNets(settings, {**weights, **blanks})
