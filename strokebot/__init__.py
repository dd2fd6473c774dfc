"""strokebot: pictures of glyphs into strokes a pen plotter or a robot arm can draw.

>>> import strokebot
>>> drawing = strokebot.trace("samples/digit-7.png")       # doctest: +SKIP
>>> drawing.fit(width=40).to_gcode("seven.gcode", profile="grbl-servo")  # doctest: +SKIP

Names are imported lazily, so ``import strokebot`` stays fast; torch is only imported by training,
refinement and :meth:`strokebot.model.inference.Model.to_torch`.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "trace": "strokebot.tracing",
    "trace_batch": "strokebot.tracing",
    "load_model": "strokebot.model.inference",
    "Model": "strokebot.model.inference",
    "Drawing": "strokebot.drawing",
    "Stroke": "strokebot.drawing",
    "StrokebotError": "strokebot.errors",
    "UsageError": "strokebot.errors",
    "ImageError": "strokebot.errors",
    "ModelError": "strokebot.errors",
    "ExportError": "strokebot.errors",
    "ResourceError": "strokebot.errors",
    "parse_length": "strokebot.units",
}

__all__ = sorted(_EXPORTS) + ["__version__"]

if TYPE_CHECKING:
    from strokebot.drawing import Drawing, Stroke
    from strokebot.errors import ExportError, ImageError, ModelError, ResourceError, StrokebotError, UsageError
    from strokebot.model.inference import Model, load_model
    from strokebot.tracing import trace, trace_batch
    from strokebot.units import parse_length


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'strokebot' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
