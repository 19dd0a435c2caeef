"""parse_range(): one byte range as [start, end), None for the whole file, RangeNotSatisfiable for 416."""

from __future__ import annotations

import pytest

from imghost.delivery.ranges import RangeNotSatisfiable, parse_range

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        # first-last
        ("bytes=0-0", (0, 1)),
        ("bytes=0-1", (0, 2)),
        ("bytes=0-999", (0, 1000)),
        ("bytes=10-19", (10, 20)),
        ("bytes=999-999", (999, 1000)),
        ("bytes=500-5000", (500, 1000)),  # last past the end is clipped
        ("bytes=0-1000000000000", (0, 1000)),
        # open-ended
        ("bytes=0-", (0, 1000)),
        ("bytes=500-", (500, 1000)),
        ("bytes=999-", (999, 1000)),
        # suffix
        ("bytes=-1", (999, 1000)),
        ("bytes=-100", (900, 1000)),
        ("bytes=-1000", (0, 1000)),
        ("bytes=-5000", (0, 1000)),  # longer than the file: all of it
        # spelling
        ("Bytes=0-9", (0, 10)),
        ("BYTES=0-9", (0, 10)),
        (" bytes = 0-9 ", (0, 10)),
        ("bytes= 100-199", (100, 200)),
    ],
)
def test_single_ranges(header: str, expected: tuple[int, int]) -> None:
    assert parse_range(header, SIZE) == expected


@pytest.mark.parametrize(
    "header",
    ["bytes=1000-", "bytes=1000-1000", "bytes=1000-2000", "bytes=5000-", "bytes=-0"],
)
def test_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, SIZE)


def test_unsatisfiable_on_a_small_file() -> None:
    with pytest.raises(RangeNotSatisfiable):
        parse_range("bytes=1-", 1)
    assert parse_range("bytes=0-", 1) == (0, 1)
    assert parse_range("bytes=-10", 1) == (0, 1)


@pytest.mark.parametrize(
    "header",
    ["bytes=0-1,5-6", "bytes=0-0, -1", "bytes=-1,0-", "bytes=0-1,0-1", "bytes=,", "bytes=500-,1000-"],
)
def test_multiple_ranges_get_the_whole_file(header: str) -> None:
    assert parse_range(header, SIZE) is None


@pytest.mark.parametrize(
    "header",
    [
        "",
        "bytes",
        "bytes=",
        "bytes=-",
        "bytes=abc",
        "bytes=a-b",
        "bytes=1-b",
        "bytes=a-1",
        "bytes=-x",
        "bytes=1-2-3",
        "bytes=0.5-1",
        "items=0-9",
        "0-9",
        "=0-9",
        "bytes 0-9",
        "bits=0-9",
        "bytes=0x10-0x20",
    ],
)
def test_garbage_is_ignored(header: str) -> None:
    assert parse_range(header, SIZE) is None
