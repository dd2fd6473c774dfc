"""How far apart two correct computations of the same numbers may be: float32 sums and printed digits.

Two float32 computations of one result — numpy against torch, a batch against one glyph at a time,
one BLAS thread against several, one CPU against another — add the same products in different
orders, and each order rounds differently. :func:`assert_float32_close` allows what that rounding
can do and no more. Text with numbers in it (golden files, the outputs of two runs) is compared by
:func:`assert_same_text`: the words exactly, each number within one step of its last printed digit.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from collections.abc import Mapping
from decimal import Decimal

import numpy as np

#: float32's spacing at 1.0 (2**-23): one rounding changes a number by at most half of this, relatively.
EPS32 = float(np.finfo(np.float32).eps)

#: How many times the typical rounding error of a sum a comparison allows. Rounding errors of a sum of
#: n terms add up like a random walk, about sqrt(n) * EPS32 times the size of the terms; the worst
#: case, n * EPS32, needs every rounding to go the same way and is not what BLAS or torch produce.
#: Measured on numpy (OpenBLAS) against torch, 100 random models of each encoder of tests/test_model.py
#: (5 images each) and the bundled model on 2,000 glyphs, with 1 and 2 threads: the largest difference
#: was 0.58 of sqrt(n) * EPS32 * scale (0.19 with OpenBLAS and torch on AVX2 kernels instead of
#: AVX-512), so 4 leaves a sevenfold margin for other CPUs and libraries, and a single weight off by
#: its layer's typical size still fails by 25 to 1,800 times (tests/test_model.py).
SAFETY = 4.0


def float32_atol(scale: float, terms: int) -> float:
    """The absolute difference two float32 evaluations of a result may show.

    Args:
        scale: the size of the numbers the result is built from (a frame's width for positions in
            it, 1 for values in 0..1).
        terms: how many products the deepest chain of sums behind it adds up (see :func:`summed_terms`).
    """
    return SAFETY * math.sqrt(terms) * EPS32 * scale


def assert_float32_close(actual, desired, *, scale: float, terms: int, err_msg: str = "") -> None:
    """Fail unless ``actual`` and ``desired`` agree within float32 rounding of ``terms``-deep sums.

    Absolute tolerance :func:`float32_atol`, plus a relative one of ``SAFETY`` roundings for the
    element-wise functions (tanh, sigmoid, the running sum) applied after the sums.
    """
    np.testing.assert_allclose(
        np.asarray(actual), np.asarray(desired), rtol=SAFETY * EPS32, atol=float32_atol(scale, terms), err_msg=err_msg
    )


def summed_terms(weights: Mapping[str, np.ndarray]) -> int:
    """The depth of a network's sums: the fan-ins of its weight matrices and kernels, added up.

    Every output of the network is a sum over the last layer's inputs, each of which is a sum over
    the layer before, and so on; their rounding errors add along that chain.
    """
    return sum(int(np.prod(w.shape[1:])) for name, w in weights.items() if name.endswith("weight") and w.ndim >= 2)


_NUMBER = re.compile(r"([-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?)")


def _step(token: str) -> Decimal:
    """One unit in the last printed digit of ``token``: 0.001 for 19.243, 1E-6 for 1.5e-05."""
    return Decimal(1).scaleb(Decimal(token).as_tuple().exponent)


def numbers_differ(actual: str, expected: str, *, precision: str) -> str | None:
    """Why ``actual`` is not ``expected`` up to rounding of its numbers, or None when it is.

    A number printed with d decimals moves by one step (10**-d) when its value, computed in another
    order or on another CPU, sits within rounding of the middle between two printed values; it never
    moves by more. ``precision`` is the step the format prints its coordinates with (``"0.001"``
    for G-code); a number may move by one step of its last digit but never by more than that, so
    integers (``G1``, ``3 strokes``) must match and a trimmed ``21`` in an SVG stands for 21.000.
    """
    cap = Decimal(precision)
    a, b = _NUMBER.split(actual), _NUMBER.split(expected)
    if len(a) != len(b):
        return f"{(len(a) - 1) // 2} numbers, expected {(len(b) - 1) // 2}"
    for k in range(0, len(a), 2):
        if a[k] != b[k]:
            at = len(os.path.commonprefix([a[k], b[k]]))
            return f"text {a[k][at:at + 40]!r} where {b[k][at:at + 40]!r} was expected"
    for x, y in zip(a[1::2], b[1::2], strict=True):
        allowed = min(_step(x), _step(y), cap)
        if abs(Decimal(x) - Decimal(y)) > allowed:
            return f"{x} where {y} was expected (allowed: {allowed})"
    return None


def assert_same_text(actual: str, expected: str, *, name: str, precision: str) -> None:
    """Fail, with a diff, unless the texts are the same up to a last-digit step in their numbers."""
    why = numbers_differ(actual, expected, precision=precision)
    if why is not None:
        diff = difflib.unified_diff(expected.splitlines(), actual.splitlines(), "expected", "actual", lineterm="", n=1)
        raise AssertionError(f"{name} differs: {why}\n" + "\n".join(list(diff)[:40]))
