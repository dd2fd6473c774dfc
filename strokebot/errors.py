"""The errors strokebot raises, each with the exit code the command line uses for it.

Every error a user can cause is a :class:`StrokebotError`; the command line prints its message as one
line on stderr and exits with its ``exit_code``. Anything else escaping is a bug; the command line
reports it as one line too, with exit code 70. The full table, input by input: ``docs/errors.md``.

====================  =====  ==========================================================
error                 code   raised for
====================  =====  ==========================================================
``UsageError``        2      bad options: unknown format or profile, a length like ``40qq``
``ImageError``        2      an input image that cannot be read or traced
``DrawingError``      2      a drawing file (a JSON trajectory) that cannot be read
``ModelError``        3      a model file that is missing, damaged or of the wrong kind
``ExportError``       4      an output that cannot be produced or written
``ResourceError``     5      an input over a resource cap (pixels, separate marks)
(some inputs skipped) 6      folder mode: bad files were reported and skipped
(below --min-iou)     7      ``strokebot verify``: checked, and the IoU is under the threshold
(internal error)      70     a bug: any other exception, still one line (``STROKEBOT_DEBUG=1``: traceback)
``Interrupted``       130    Ctrl-C (or SIGTERM); only complete outputs are left behind
====================  =====  ==========================================================
"""

from __future__ import annotations

__all__ = [
    "StrokebotError",
    "UsageError",
    "ImageError",
    "ModelError",
    "ExportError",
    "ResourceError",
    "DrawingError",
    "Interrupted",
    "EXIT_SKIPPED",
    "EXIT_BELOW_MIN_IOU",
    "EXIT_BUG",
    "EXIT_INTERRUPTED",
]

EXIT_SKIPPED = 6
EXIT_BELOW_MIN_IOU = 7
EXIT_BUG = 70  # EX_SOFTWARE of sysexits.h
EXIT_INTERRUPTED = 130


class StrokebotError(Exception):
    """Base of every error a user can cause; ``str(error)`` is a complete one-line message."""

    exit_code = 1


class UsageError(StrokebotError, ValueError):
    """An option or argument that does not make sense."""

    exit_code = 2


class ImageError(StrokebotError, ValueError):
    """An input image that cannot be read, or holds nothing to trace."""

    exit_code = 2


class DrawingError(StrokebotError, ValueError):
    """A drawing file that cannot be read."""

    exit_code = 2


class ModelError(StrokebotError):
    """A model file that is missing, damaged, of an unknown version or unsafe to load."""

    exit_code = 3


class ExportError(StrokebotError):
    """An output that cannot be produced or written."""

    exit_code = 4


class ResourceError(StrokebotError):
    """An input that would take more memory or time than a cap allows; the message names the cap and how to raise it."""

    exit_code = 5


class Interrupted(StrokebotError):
    """A command stopped by Ctrl-C or SIGTERM, saying how far it got; only complete outputs are left.

    Raised by the command line only: library functions let ``KeyboardInterrupt`` through as it is,
    so that a script's ``except StrokebotError`` never swallows a Ctrl-C.
    """

    exit_code = EXIT_INTERRUPTED
