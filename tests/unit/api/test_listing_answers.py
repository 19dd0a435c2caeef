"""The store of visitors' listing answers: by version and age, bounded in bytes, made once at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest

from imghost.api.listing_answers import Kept, ListingAnswers


def test_an_answer_is_for_its_version_and_its_moment_only() -> None:
    answers = ListingAnswers()
    answers.put("hot", Kept(version=7, made=100.0, body=b"seven"))
    assert answers.get("hot", 7, now=100.5, seconds=1.0) == b"seven"
    assert answers.get("hot", 8, now=100.5, seconds=1.0) is None
    assert answers.get("hot", 7, now=101.0, seconds=1.0) is None
    assert answers.get("top", 7, now=100.5, seconds=1.0) is None


def test_an_older_version_never_replaces_a_newer_one() -> None:
    answers = ListingAnswers()
    answers.put("hot", Kept(version=8, made=100.0, body=b"eight"))
    answers.put("hot", Kept(version=7, made=100.2, body=b"seven"))
    assert answers.get("hot", 8, now=100.3, seconds=1.0) == b"eight"
    answers.put("hot", Kept(version=9, made=100.2, body=b"nine"))
    assert answers.get("hot", 9, now=100.3, seconds=1.0) == b"nine"


def test_the_least_recently_used_go_first_past_the_byte_bound() -> None:
    answers = ListingAnswers(max_bytes=10)
    for key in ("a", "b", "c"):
        answers.put(key, Kept(version=1, made=0.0, body=b"xxxx"))
        answers.get("a", 1, now=0.0, seconds=1.0)  # "a" stays the most recently used
    assert answers.get("a", 1, now=0.0, seconds=1.0) == b"xxxx"
    assert answers.get("b", 1, now=0.0, seconds=1.0) is None
    assert answers.get("c", 1, now=0.0, seconds=1.0) == b"xxxx"


def test_requests_at_the_same_moment_make_the_answer_once() -> None:
    calls: list[int] = []

    async def make() -> bytes:
        calls.append(1)
        await asyncio.sleep(0.01)
        return b"page"

    async def main() -> list[bytes]:
        answers = ListingAnswers()
        return list(await asyncio.gather(*(answers.made_once("hot", 3, 0.0, make) for _ in range(20))))

    assert asyncio.run(main()) == [b"page"] * 20
    assert len(calls) == 1


def test_a_failed_make_fails_its_waiters_and_keeps_nothing() -> None:
    async def make() -> bytes:
        await asyncio.sleep(0.01)
        raise RuntimeError("database gone")

    async def main() -> ListingAnswers:
        answers = ListingAnswers()
        results = await asyncio.gather(
            *(answers.made_once("hot", 3, 0.0, make) for _ in range(3)), return_exceptions=True
        )
        assert all(isinstance(r, RuntimeError) for r in results)
        return answers

    answers = asyncio.run(main())
    assert answers.get("hot", 3, now=0.0, seconds=1.0) is None


@pytest.mark.parametrize("version", [3, 4])
def test_a_request_for_another_version_makes_its_own(version: int) -> None:
    made: list[int] = []

    def maker(v: int) -> Callable[[], Awaitable[bytes]]:
        async def make() -> bytes:
            made.append(v)
            await asyncio.sleep(0.01)
            return f"v{v}".encode()

        return make

    async def main() -> list[bytes]:
        answers = ListingAnswers()
        return list(
            await asyncio.gather(
                answers.made_once("hot", 3, 0.0, maker(3)),
                answers.made_once("hot", version, 0.0, maker(version)),
            )
        )

    assert asyncio.run(main()) == [b"v3", f"v{version}".encode()]
    assert made == ([3] if version == 3 else [3, 4])
