"""strokebot's models: how a pen would draw a glyph.

The stroke model (``strokebot-default 2.8``, what tracing runs; numpy):

* :mod:`~strokebot.model.skeleton` — the ink's centre lines as a graph of branches between line ends
  and junctions, cleaned the way a round pen makes ink.
* :mod:`~strokebot.model.parse` — which branches a pen draws in one go (the junction and excursion nets).
* :mod:`~strokebot.model.order` — the features the sequencer picks the next stroke and its direction from.
* :mod:`~strokebot.model.strokes` — the whole model: glyph in, strokes in a person's order out.

Its training (torch): :mod:`~strokebot.model.truth` (labels from true strokes),
:mod:`~strokebot.model.examples`, :mod:`~strokebot.model.learn`.

The one-shot velocity encoder (``strokebot-fast 5``, the fast path; the stroke model's student):

* :mod:`~strokebot.model.gesture` (torch) — a 28×28 glyph in, one pen gesture of a fixed number of steps out.
* :mod:`~strokebot.model.render` (torch) — the differentiable renderers that draw gestures back into images.
* :mod:`~strokebot.model.train` (torch) — training it as an autoencoder through the renderer.
* :mod:`~strokebot.model.inference` (numpy) — running either kind of model file at trace time.
* :mod:`~strokebot.model.checkpoint` — model files: self-describing ``.npz``, loaded without unpickling.

The torch-side names of :mod:`strokebot.model.gesture` are imported from here on first use, so the
numpy modules of this package load without torch.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ModelConfig": "strokebot.model.gesture",
    "Gesture": "strokebot.model.gesture",
    "GestureModel": "strokebot.model.gesture",
    "stroke_codes": "strokebot.model.gesture",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:
    from strokebot.model.gesture import Gesture, GestureModel, ModelConfig, stroke_codes


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'strokebot.model' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
