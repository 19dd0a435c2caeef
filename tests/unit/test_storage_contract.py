"""Every BlobStore behaves the same: the local disk store and S3 (a real SeaweedFS server)."""

from __future__ import annotations

import asyncio
import os
import secrets
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

from imghost.errors import BlobNotFound, ServiceUnavailable
from imghost.storage.base import BlobStore
from imghost.storage.compare import same_content
from imghost.storage.local import LocalStore
from imghost.storage.s3 import S3Store
from tests.services import S3Config, drop_bucket, free_port

T = TypeVar("T")
MiB = 1024 * 1024


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def collect(store: BlobStore, key: str, start: int = 0, end: int | None = None) -> list[bytes]:
    return [chunk async for chunk in store.stream(key, start, end)]


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "local":
        return LocalStore(tmp_path / "blobs")
    cfg: S3Config = request.getfixturevalue("s3_config")
    # A fresh prefix per test keeps tests apart inside the session's bucket.
    return cfg.store(f"t-{secrets.token_hex(4)}")


class TestBlobStoreContract:
    def test_is_a_blobstore(self, store: BlobStore) -> None:
        assert isinstance(store, BlobStore)

    def test_put_and_get_bytes(self, store: BlobStore) -> None:
        async def body() -> None:
            await store.put_bytes("o/ab/abcdef", b"hello world", "text/plain")
            assert await store.get_bytes("o/ab/abcdef") == b"hello world"
            assert await store.size("o/ab/abcdef") == 11
            assert await store.exists("o/ab/abcdef")
            await store.put_bytes("o/ab/empty", b"", "application/octet-stream")
            assert await store.get_bytes("o/ab/empty") == b""
            assert await store.size("o/ab/empty") == 0

        run(body())

    def test_large_objects_streamed(self, store: BlobStore, tmp_path: Path) -> None:
        src = tmp_path / "upload.bin"
        data = os.urandom(12 * MiB)
        src.write_bytes(data)

        async def body() -> None:
            await store.put_file("o/lg/large", src, "video/mp4")
            assert await store.size("o/lg/large") == len(data)
            chunks = await collect(store, "o/lg/large")
            assert len(chunks) > 1
            assert max(len(c) for c in chunks) < len(data)
            assert b"".join(chunks) == data
            assert await store.get_bytes("o/lg/large") == data
            # Ranges crossing chunk boundaries, from the middle and to the end.
            a, b = 5 * MiB - 3, 7 * MiB + 5
            assert await store.get_range("o/lg/large", a, b) == data[a:b]
            a, b = 3 * MiB + 1, 9 * MiB
            assert b"".join(await collect(store, "o/lg/large", a, b)) == data[a:b]
            assert b"".join(await collect(store, "o/lg/large", 11 * MiB)) == data[11 * MiB :]

        run(body())
        # The source file belongs to the caller and must survive the put.
        assert src.read_bytes() == data

    def test_ranges(self, store: BlobStore) -> None:
        async def body() -> None:
            await store.put_bytes("o/rg/digits", b"0123456789", "text/plain")
            assert await store.get_range("o/rg/digits", 0, 1) == b"0"
            assert await store.get_range("o/rg/digits", 2, 5) == b"234"
            assert await store.get_range("o/rg/digits", 8, 50) == b"89"
            assert await store.get_range("o/rg/digits", 10, 20) == b""
            assert await store.get_range("o/rg/digits", 4, 4) == b""
            assert b"".join(await collect(store, "o/rg/digits", 2, 5)) == b"234"
            assert b"".join(await collect(store, "o/rg/digits", 7)) == b"789"
            assert b"".join(await collect(store, "o/rg/digits", 8, 50)) == b"89"
            assert b"".join(await collect(store, "o/rg/digits", 12)) == b""
            assert b"".join(await collect(store, "o/rg/digits", 3, 3)) == b""

        run(body())

    def test_missing_key(self, store: BlobStore) -> None:
        async def body() -> None:
            with pytest.raises(BlobNotFound):
                await store.get_bytes("o/zz/missing")
            with pytest.raises(BlobNotFound):
                await store.get_range("o/zz/missing", 0, 10)
            with pytest.raises(BlobNotFound):
                await store.get_range("o/zz/missing", 0, 0)
            with pytest.raises(BlobNotFound):
                await collect(store, "o/zz/missing")
            with pytest.raises(BlobNotFound):
                await collect(store, "o/zz/missing", 5, 10)
            assert await store.size("o/zz/missing") is None
            assert not await store.exists("o/zz/missing")

        run(body())

    def test_delete(self, store: BlobStore) -> None:
        async def body() -> None:
            await store.put_bytes("t/de/abc/m.jpg", b"x" * 100, "image/jpeg")
            await store.put_bytes("t/de/abc/l.jpg", b"y" * 100, "image/jpeg")
            await store.delete("t/de/abc/m.jpg")
            assert not await store.exists("t/de/abc/m.jpg")
            assert await store.size("t/de/abc/m.jpg") is None
            with pytest.raises(BlobNotFound):
                await store.get_bytes("t/de/abc/m.jpg")
            # Siblings are untouched, and deleting again (or something never stored) is fine.
            assert await store.get_bytes("t/de/abc/l.jpg") == b"y" * 100
            await store.delete("t/de/abc/m.jpg")
            await store.delete("t/de/never/stored")

        run(body())

    def test_list(self, store: BlobStore, tmp_path: Path) -> None:
        async def body() -> None:
            started = time.time()
            await store.put_bytes("o/ab/one", b"1", "image/jpeg")
            await store.put_bytes("o/cd/two", b"22", "image/jpeg")
            await store.put_bytes("t/ab/one/m.jpg", b"333", "image/jpeg")
            await store.put_bytes("ox/ab/not-under-o", b"4444", "image/jpeg")
            found = {o.key: o async for o in store.list("o/")}
            assert {k: o.size for k, o in found.items()} == {"o/ab/one": 1, "o/cd/two": 2}
            for o in found.values():
                assert started - 5 <= o.modified <= time.time() + 5
            assert [o.key async for o in store.list("t/")] == ["t/ab/one/m.jpg"]
            assert [o async for o in store.list("v/")] == []

        run(body())

    @pytest.mark.parametrize("replace", [False, True])
    def test_put_file_moving(self, store: BlobStore, tmp_path: Path, replace: bool) -> None:
        data = os.urandom(MiB + 3)
        src = tmp_path / "moved"
        src.write_bytes(data)

        async def body() -> None:
            if replace:
                await store.put_bytes("o/mv/key", b"an older version", "image/jpeg")
            await store.put_file("o/mv/key", src, "image/jpeg", move=True)
            assert await store.get_bytes("o/mv/key") == data
            assert not src.exists() or src.read_bytes() == data  # taken over, or left as it was

        run(body())

    def test_same_content(self, store: BlobStore, tmp_path: Path) -> None:
        """Dedupe asks the store whether an object holds exactly a file's bytes: a byte flipped anywhere,
        a byte more or less, or a missing object is a no."""
        data = os.urandom(3 * MiB + 17)
        local = tmp_path / "upload"
        local.write_bytes(data)

        async def body() -> None:
            await store.put_file("o/sc/same", local, "image/jpeg")
            assert await same_content(store, "o/sc/same", local)
            for i, variant in enumerate(
                (
                    data[:-1],
                    data + b"x",
                    data[:MiB] + bytes([data[MiB] ^ 1]) + data[MiB + 1 :],
                    data[:-1] + bytes([data[-1] ^ 1]),
                )
            ):
                other = tmp_path / f"other{i}"
                other.write_bytes(variant)
                assert not await same_content(store, "o/sc/same", other), i
            assert not await same_content(store, "o/sc/never-stored", local)

        run(body())

    def test_overwrite_replaces(self, store: BlobStore, tmp_path: Path) -> None:
        src = tmp_path / "v2"
        src.write_bytes(b"second version, from a file")

        async def body() -> None:
            await store.put_bytes("o/ow/key", b"first version, longer than the second", "text/plain")
            await store.put_file("o/ow/key", src, "text/plain")
            assert await store.get_bytes("o/ow/key") == src.read_bytes()
            assert await store.size("o/ow/key") == len(src.read_bytes())
            await store.put_bytes("o/ow/key", b"3", "text/plain")
            assert await store.get_bytes("o/ow/key") == b"3"

        run(body())

    def test_concurrent_readers_see_whole_versions(self, store: BlobStore) -> None:
        # Each version is one repeated byte, so any mix of two versions or a truncated read is detectable.
        size = 2 * MiB
        versions = {bytes([ord("a") + i]) * size for i in range(6)}
        first = bytes([ord("a")]) * size

        async def read_whole() -> bytes:
            return await store.get_bytes("o/at/key")

        async def read_stream() -> bytes:
            return b"".join(await collect(store, "o/at/key"))

        async def read_range() -> bytes:
            return await store.get_range("o/at/key", 0, size)

        async def body() -> None:
            await store.put_bytes("o/at/key", first, "application/octet-stream")
            writers = [
                store.put_bytes("o/at/key", v, "application/octet-stream") for v in sorted(versions)[1:]
            ]
            readers = [f() for _ in range(6) for f in (read_whole, read_stream, read_range)]
            coros: list[Coroutine[Any, Any, Any]] = []
            # Interleave so reads start before, between and after the writes.
            for i in range(max(len(writers), len(readers))):
                if i < len(readers):
                    coros.append(readers[i])
                if i < len(writers):
                    coros.append(writers[i])
            results = await asyncio.gather(*coros)
            reads = [r for r in results if r is not None]
            assert len(reads) == 18
            for r in reads:
                assert len(r) == size
                assert r in versions
            assert await store.get_bytes("o/at/key") in versions

        run(body())

    def test_create_bytes_only_once(self, store: BlobStore) -> None:
        async def body() -> None:
            assert await store.create_bytes("t/cr/abc/s.jpg", b"first", "image/jpeg") is True
            assert await store.create_bytes("t/cr/abc/s.jpg", b"second", "image/jpeg") is False
            assert await store.get_bytes("t/cr/abc/s.jpg") == b"first"

        run(body())

    def test_create_bytes_race_has_one_winner(self, store: BlobStore) -> None:
        async def body() -> None:
            payloads = [f"candidate {i}".encode() for i in range(5)]
            won = await asyncio.gather(
                *(store.create_bytes("t/cr/race/m.jpg", p, "image/jpeg") for p in payloads)
            )
            assert won.count(True) == 1
            assert await store.get_bytes("t/cr/race/m.jpg") == payloads[won.index(True)]

        run(body())

    def test_nested_keys_are_independent(self, store: BlobStore) -> None:
        keys = [
            "o/ab/abcdefg",
            "o/ab/abcdefh",
            "o/ac/abcdefg",
            "t/ab/abcdefg/m.jpg",
            "t/ab/abcdefg/l.webp",
            "t/ab/abcdefg/deep/er/x.png",
        ]

        async def body() -> None:
            for k in keys:
                await store.put_bytes(k, k.encode(), "application/octet-stream")
            for k in keys:
                assert await store.get_bytes(k) == k.encode()
            await store.delete("t/ab/abcdefg/m.jpg")
            assert [await store.exists(k) for k in keys] == [True, True, True, False, True, True]

        run(body())

    def test_bad_keys_rejected(self, store: BlobStore) -> None:
        async def body() -> None:
            for bad in ["", "/o/abs", "o/../../etc/passwd"]:
                with pytest.raises(ValueError, match="bad storage key"):
                    await store.put_bytes(bad, b"x", "text/plain")

        run(body())

    def test_direct_delivery(self, store: BlobStore, tmp_path: Path) -> None:
        """Local stores expose a file path; S3 gives a presigned URL that serves the object as stored."""
        video = tmp_path / "clip.mp4"
        video.write_bytes(os.urandom(6 * MiB))  # past one part, so S3 takes the multipart path

        async def body() -> None:
            await store.put_bytes("o/dd/abc", b"direct bytes", "image/png")
            await store.put_file("o/dd/vid", video, "video/mp4")
            path = store.local_path("o/dd/abc")
            url = await store.presigned_url("o/dd/abc", expires=120)
            if isinstance(store, LocalStore):
                assert path is not None
                assert path.read_bytes() == b"direct bytes"
                assert url is None
            else:
                assert path is None
                assert url is not None
                video_url = await store.presigned_url("o/dd/vid")
                assert video_url is not None
                async with httpx.AsyncClient() as c:
                    r = await c.get(url)
                    v = await c.get(video_url)
                assert r.status_code == 200
                assert r.content == b"direct bytes"
                assert r.headers["content-type"] == "image/png"
                assert v.status_code == 200
                assert v.headers["content-type"] == "video/mp4"
                assert v.content == video.read_bytes()
            await store.close()

        run(body())


class TestS3Store:
    def test_from_url(self) -> None:
        s = S3Store.from_url("s3://media/imghost/prod/", "http://127.0.0.1:9", "k", "s", "eu-west-1")
        assert (s.bucket, s.prefix, s.region) == ("media", "imghost/prod", "eu-west-1")
        s = S3Store.from_url("s3://media", endpoint_url="", access_key="", secret_key="", region="us-east-1")
        assert (s.bucket, s.prefix) == ("media", "")
        for bad in ["media/x", "http://media/x", "s3:///x"]:
            with pytest.raises(ValueError, match="s3://"):
                S3Store.from_url(bad, "", "", "", "us-east-1")

    def test_prefix_isolates(self, s3_config: S3Config) -> None:
        async def body() -> None:
            a, b = s3_config.store("pa"), s3_config.store("pb")
            await a.put_bytes("o/x", b"a", "text/plain")
            assert not await b.exists("o/x")
            assert await s3_config.store().get_bytes("pa/o/x") == b"a"
            await a.delete("o/x")

        run(body())

    def test_ensure_bucket_is_idempotent(self, s3_config: S3Config) -> None:
        async def body() -> None:
            await s3_config.store().ensure_bucket()
            other = S3Config(
                s3_config.endpoint_url,
                s3_config.access_key,
                s3_config.secret_key,
                f"imghost-test-{secrets.token_hex(4)}",
                s3_config.region,
            )
            store = other.store()
            try:
                await store.ensure_bucket()
                await store.ensure_bucket()
                await store.put_bytes("k", b"v", "text/plain")
                assert await store.get_bytes("k") == b"v"
            finally:
                await asyncio.to_thread(drop_bucket, other)

        run(body())

    def test_wrong_credentials_are_unavailable(self, s3_config: S3Config) -> None:
        store = S3Store(
            s3_config.bucket,
            "x",
            endpoint_url=s3_config.endpoint_url,
            access_key=s3_config.access_key,
            secret_key="not-the-secret",
            region=s3_config.region,
        )

        async def body() -> None:
            with pytest.raises(ServiceUnavailable):
                await store.get_bytes("o/x")
            with pytest.raises(ServiceUnavailable):
                await store.put_bytes("o/x", b"x", "text/plain")

        run(body())

    def test_unreachable_server_fails_fast(self) -> None:
        # Nothing listens on this port: every operation must end in ServiceUnavailable, not hang.
        store = S3Store(
            "bucket",
            "",
            endpoint_url=f"http://127.0.0.1:{free_port()}",
            access_key="k",
            secret_key="s",
            region="us-east-1",
        )
        ops: list[Callable[[], Coroutine[Any, Any, Any]]] = [
            lambda: store.get_bytes("o/x"),
            lambda: store.get_range("o/x", 0, 5),
            lambda: collect(store, "o/x"),
            lambda: store.put_bytes("o/x", b"x", "text/plain"),
            lambda: store.create_bytes("o/x", b"x", "text/plain"),
            lambda: store.size("o/x"),
            lambda: store.exists("o/x"),
            lambda: store.delete("o/x"),
            lambda: store.ensure_bucket(),
        ]

        async def body() -> None:
            for op in ops:
                started = time.monotonic()
                with pytest.raises(ServiceUnavailable):
                    await op()
                assert time.monotonic() - started < 10

        run(body())
