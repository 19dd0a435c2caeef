"""The fingerprint that finds stored files which may hold an upload's bytes (they are compared after)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from imghost.media.fingerprint import WINDOW, fingerprint


def fp_of(tmp_path: Path, data: bytes, name: str = "f") -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return fingerprint(path)


@pytest.mark.parametrize(
    "size", [0, 1, WINDOW - 1, WINDOW, WINDOW + 1, 2 * WINDOW, 2 * WINDOW + 1, 5 * WINDOW]
)
def test_same_bytes_same_fingerprint(tmp_path: Path, size: int) -> None:
    data = os.urandom(size)
    assert fp_of(tmp_path, data, "a") == fp_of(tmp_path, data, "b")
    assert len(fp_of(tmp_path, data)) == 64


@pytest.mark.parametrize("size", [10, WINDOW + 10, 2 * WINDOW + 10, 5 * WINDOW])
def test_first_and_last_bytes_and_size_count(tmp_path: Path, size: int) -> None:
    data = bytearray(os.urandom(size))
    base = fp_of(tmp_path, bytes(data))
    first, last = bytearray(data), bytearray(data)
    first[0] ^= 1
    last[-1] ^= 1
    assert fp_of(tmp_path, bytes(first)) != base
    assert fp_of(tmp_path, bytes(last)) != base
    assert fp_of(tmp_path, bytes(data) + b"\0") != base


def test_the_middle_of_a_large_file_is_not_read(tmp_path: Path) -> None:
    """Which is why a shared fingerprint is only a candidate: uploads are compared byte for byte after."""
    data = bytearray(os.urandom(5 * WINDOW))
    base = fp_of(tmp_path, bytes(data))
    data[2 * WINDOW] ^= 1
    assert fp_of(tmp_path, bytes(data)) == base
