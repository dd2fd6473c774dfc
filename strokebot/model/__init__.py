"""strokebot's models: how a pen would draw a glyph.

* :mod:`strokebot.model.skeleton` (numpy) — the ink's centre lines as a graph of branches between
  line ends and junctions, cleaned the way a round pen makes ink.
* :mod:`strokebot.model.gesture` (torch) — the one-shot velocity encoder: a 28×28 glyph in, one pen
  gesture of a fixed number of steps out (``strokebot-default 1``, the fast path).

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
