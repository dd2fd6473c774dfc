"""vpype-strokebot: trace pictures of glyphs into vpype geometry.

The vpype command is ``vpype strokebot IMAGE... --width 60mm``; the same from Python is
:func:`trace_document`, which returns a :class:`vpype.Document`.
"""

from vpype_strokebot.layers import PX_PER_MM, find_images, place, to_layers, trace_document

__all__ = ["PX_PER_MM", "find_images", "place", "to_layers", "trace_document"]
__version__ = "0.1.0"
