"""Test data: MNIST from the shared data folder when it is there, synthetic glyphs otherwise."""

from __future__ import annotations

import numpy as np
from conftest import SHARED_DATA


def mnist_or_synthetic(count: int) -> np.ndarray:
    folder = SHARED_DATA / "mnist"
    if (folder / "t10k-images-idx3-ubyte.gz").exists():
        from strokebot.datasets import mnist

        images, _ = mnist(folder, split="test")
        return images[:count]
    from strokebot.datasets import hershey_glyphs, normalised_sample

    return np.stack([normalised_sample(s).image for s in hershey_glyphs(count, seed=7, sizes=(40, 56))])
