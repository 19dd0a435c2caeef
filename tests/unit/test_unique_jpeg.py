"""tests/api/helpers.py::unique_jpeg: one image per seed, told apart by its pixels.

Tests upload unique_jpeg(seed) expecting a file nobody else stored; two seeds giving one image would let
deduplication share a file and hide what the test looks for (seeds 901 and 7301 once did)."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from imghost.media import sanitize
from tests.api.helpers import unique_jpeg

# Small seeds, as tests write them, and 32-bit ones drawn at random.
SEEDS = sorted({*range(8_000), *random.Random(13).sample(range(8_000, 2**32), 2_000)})


def test_ten_thousand_seeds_give_ten_thousand_images() -> None:
    assert len(SEEDS) == 10_000 and {901, 7301} <= set(SEEDS)
    bodies = [unique_jpeg(seed) for seed in SEEDS]
    assert len(set(bodies)) == 10_000
    pixels = {Image.open(io.BytesIO(b)).tobytes() for b in bodies}
    assert len(pixels) == 10_000
    # What the server keeps of a JPEG, metadata stripped, is still one file per seed.
    assert len({sanitize.jpeg(b, 1) for b in bodies}) == 10_000


def test_the_pair_that_once_collided() -> None:
    a, b = unique_jpeg(901), unique_jpeg(7301)
    assert a != b
    assert Image.open(io.BytesIO(a)).tobytes() != Image.open(io.BytesIO(b)).tobytes()


def test_same_seed_same_bytes() -> None:
    assert unique_jpeg(4242) == unique_jpeg(4242)
    assert unique_jpeg(4242, 320, 240) == unique_jpeg(4242, 320, 240)


@pytest.mark.parametrize("size", [(50, 30), (640, 480), (16, 8), (8, 4)])
def test_other_sizes_keep_the_bits(size: tuple[int, int]) -> None:
    """Images too small for 8x8 blocks draw smaller ones; every size tests use still tells seeds apart."""
    w, h = size
    seeds = [0, 1, 901, 7301, 2**31, 2**32 - 1]
    images = [Image.open(io.BytesIO(unique_jpeg(s, w, h))) for s in seeds]
    assert all(im.size == size for im in images)
    assert len({im.tobytes() for im in images}) == len(seeds)


def test_larger_seeds_use_more_blocks() -> None:
    assert unique_jpeg(2**40 + 5) != unique_jpeg(5)
    assert unique_jpeg(2**47) != unique_jpeg(2**46)


def test_too_small_or_negative_is_refused() -> None:
    with pytest.raises(ValueError, match="too few pixels"):
        unique_jpeg(1, 4, 4)  # 16 pixels cannot hold 32 bits
    with pytest.raises(ValueError, match="non-negative"):
        unique_jpeg(-1)
