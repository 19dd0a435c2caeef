"""Random ids: the right length and alphabet, every character equally likely, no repeats."""

from __future__ import annotations

import string
from collections import Counter

from imghost import ids

ALPHABET = set(string.ascii_letters + string.digits)


def test_lengths_and_alphabet() -> None:
    for make, length in ((ids.image_id, 7), (ids.deletehash, 15), (lambda: ids.random_id(16), 16)):
        for _ in range(200):
            value = make()
            assert len(value) == length
            assert set(value) <= ALPHABET


def test_every_character_is_equally_likely() -> None:
    counts = Counter("".join(ids.random_id(31) for _ in range(20_000)))  # 620,000 characters
    assert set(counts) == ALPHABET
    expected = 620_000 / 62
    # A modulo bias (256 % 62 = 8 over-drawn characters) would put the first 8 about 25% above the rest;
    # fair draws stay within a few percent.
    assert max(counts.values()) < expected * 1.05
    assert min(counts.values()) > expected * 0.95


def test_no_repeats() -> None:
    drawn = [ids.image_id() for _ in range(50_000)]
    assert len(set(drawn)) == len(drawn)
