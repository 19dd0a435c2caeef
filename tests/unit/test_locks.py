"""FileLocks (one host) and RedisLocks (a deployment): mutual exclusion, timeouts, and release."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import pytest
import redis.asyncio as aioredis

from imghost.errors import ServiceUnavailable
from imghost.locks.base import LockService
from imghost.locks.local import FileLocks
from imghost.locks.redis import RedisLocks
from tests.services import free_port

T = TypeVar("T")
Factory = Callable[[], LockService]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture(params=["file", "file-flock", "redis"])
def make_locks(request: pytest.FixtureRequest, tmp_path: Path) -> Factory:
    """Each call is a separate lock service (as in another process) on the same shared backend.

    file: byte-range (OFD) locks on one file, as on Linux; file-flock: the per-file flock() used elsewhere."""
    if request.param == "file":
        return lambda: FileLocks(tmp_path / "locks")
    if request.param == "file-flock":
        return lambda: FileLocks(tmp_path / "locks", ofd=False)
    url: str = request.getfixturevalue("redis_url")
    prefix = f"test-{os.urandom(4).hex()}:"
    return lambda: RedisLocks(url, prefix=prefix)


def unique_name(tag: str) -> str:
    return f"{tag}-{os.urandom(4).hex()}"


class TestLockContract:
    def test_mutual_exclusion(self, make_locks: Factory) -> None:
        name = unique_name("img")

        async def body() -> None:
            services = [make_locks(), make_locks()]
            active = 0
            peak = 0
            done = 0

            async def worker(locks: LockService) -> None:
                nonlocal active, peak, done
                async with locks.hold(name, timeout=20):
                    active += 1
                    peak = max(peak, active)
                    # Yield inside the critical section so any overlap would show.
                    await asyncio.sleep(0.002)
                    await asyncio.sleep(0)
                    active -= 1
                    done += 1

            try:
                # Tasks on both services contend: locally on the asyncio.Lock, and across on the backend.
                await asyncio.gather(*(worker(services[i % 2]) for i in range(40)))
            finally:
                for s in services:
                    await s.close()
            assert peak == 1
            assert done == 40

        run(body())

    def test_timeout_raises_service_unavailable(self, make_locks: Factory) -> None:
        name = unique_name("busy")

        async def body() -> None:
            a, b = make_locks(), make_locks()
            holding = asyncio.Event()
            release = asyncio.Event()

            async def holder() -> None:
                async with a.hold(name, timeout=5):
                    holding.set()
                    await release.wait()

            task = asyncio.create_task(holder())
            try:
                await holding.wait()
                for waiter in (a, b):  # the same service (local queue) and another one (backend)
                    started = time.monotonic()
                    with pytest.raises(ServiceUnavailable):
                        async with waiter.hold(name, timeout=0.3):
                            pytest.fail("acquired a held lock")
                    assert 0.25 <= time.monotonic() - started < 3
                release.set()
                await task
                # Once released, the waiter gets it promptly.
                async with b.hold(name, timeout=2):
                    pass
            finally:
                release.set()
                await task
                await a.close()
                await b.close()

        run(body())

    def test_released_on_exception(self, make_locks: Factory) -> None:
        name = unique_name("err")

        async def body() -> None:
            a, b = make_locks(), make_locks()
            try:
                with pytest.raises(RuntimeError, match="boom"):
                    async with a.hold(name, timeout=2):
                        raise RuntimeError("boom")
                async with b.hold(name, timeout=1):
                    pass
                async with a.hold(name, timeout=1):
                    pass
            finally:
                await a.close()
                await b.close()

        run(body())

    def test_distinct_names_do_not_block(self, make_locks: Factory) -> None:
        # FileLocks maps names onto a fixed set of byte ranges (or files), so pick two names that land apart.
        base = unique_name("n")
        names = [f"{base}-{i}" for i in range(50)]
        first = names[0]
        probe = make_locks()
        if isinstance(probe, FileLocks):
            second = next(n for n in names if probe.slot_of(n) != probe.slot_of(first))
        else:
            second = names[1]
        run(probe.close())

        async def body() -> None:
            a, b = make_locks(), make_locks()
            try:
                async with a.hold(first, timeout=2), b.hold(second, timeout=0.5):
                    pass
            finally:
                await a.close()
                await b.close()

        run(body())

    def test_excludes_across_processes(
        self, make_locks: Factory, tmp_path: Path, request: pytest.FixtureRequest
    ) -> None:
        kind = request.node.callspec.params["make_locks"]
        prefix = f"proc-test-{os.urandom(4).hex()}:"
        if kind.startswith("file"):
            target = str(tmp_path / "locks")
        else:
            target = request.getfixturevalue("redis_url")
        log = tmp_path / "critical.log"
        sync = tmp_path / "sync"
        sync.mkdir()
        procs, iterations = 3, 15
        script = textwrap.dedent("""
            import asyncio, os, sys, time
            from pathlib import Path

            kind, target, log, prefix = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[6]
            sync, n = Path(sys.argv[4]), int(sys.argv[5])

            async def main() -> None:
                if kind.startswith("file"):
                    from imghost.locks.local import FileLocks
                    locks = FileLocks(Path(target), ofd=kind == "file")
                else:
                    from imghost.locks.redis import RedisLocks
                    locks = RedisLocks(target, prefix=prefix)
                (sync / f"ready-{os.getpid()}").touch()
                while not (sync / "go").exists():  # start together, so the processes really contend
                    await asyncio.sleep(0.005)
                for _ in range(n):
                    async with locks.hold("shared", timeout=30):
                        with open(log, "a") as f:
                            f.write(f"{os.getpid()} in\\n")
                        await asyncio.sleep(0.005)
                        with open(log, "a") as f:
                            f.write(f"{os.getpid()} out\\n")
                await locks.close()

            asyncio.run(main())
        """)
        children = [
            subprocess.Popen(
                [sys.executable, "-c", script, kind, target, str(log), str(sync), str(iterations), prefix]
            )
            for _ in range(procs)
        ]
        try:
            deadline = time.monotonic() + 60
            while len(list(sync.glob("ready-*"))) < procs:
                assert all(c.poll() is None for c in children), "a child died before starting"
                assert time.monotonic() < deadline, "children did not start"
                time.sleep(0.01)
            (sync / "go").touch()
            for c in children:
                assert c.wait(60) == 0
        finally:
            for c in children:
                if c.poll() is None:
                    c.kill()
                    c.wait()
        lines = log.read_text().splitlines()
        assert len(lines) == 2 * procs * iterations
        holders = []
        for enter, leave in zip(lines[::2], lines[1::2], strict=True):
            pid, what = enter.split()
            assert what == "in"
            assert leave == f"{pid} out", "another process entered the critical section"
            holders.append(pid)
        assert len(set(holders)) == procs


class TestFileLocks:
    @pytest.mark.parametrize("ofd", [True, False])
    def test_names_sharing_a_range_still_exclude(self, tmp_path: Path, ofd: bool) -> None:
        """Two names on one byte range: the range is re-granted to its own holder by the kernel, so the
        in-process queue must cover it, and releasing one name must not free the other."""

        async def body() -> None:
            a = FileLocks(tmp_path / "locks", ofd=ofd, slots=1)
            b = FileLocks(tmp_path / "locks", ofd=ofd, slots=1)
            try:
                assert a.slot_of("x") == a.slot_of("y")
                async with a.hold("x", timeout=2):
                    for other in (a, b):
                        with pytest.raises(ServiceUnavailable):
                            async with other.hold("y", timeout=0.2):
                                pytest.fail("a shared range was held twice")
                # Released: either service gets the other name at once.
                async with b.hold("y", timeout=1):
                    pass
                async with a.hold("y", timeout=1):
                    pass
            finally:
                await a.close()
                await b.close()

        run(body())

    def test_one_lock_file_however_many_names(self, tmp_path: Path) -> None:
        async def body() -> None:
            locks = FileLocks(tmp_path / "locks", ofd=True)
            try:
                for i in range(50):
                    async with locks.hold(f"name-{i}", timeout=1):
                        pass
            finally:
                await locks.close()

        run(body())
        assert [p.name for p in (tmp_path / "locks").iterdir()] == ["ranges.lock"]


class TestRedisLocks:
    def test_expired_holder_is_overtaken(self, redis_url: str) -> None:
        """A holder that died (its key was never deleted) blocks others only until the ttl runs out."""

        async def body() -> None:
            r = aioredis.Redis.from_url(redis_url)
            locks = RedisLocks(redis_url, prefix="ttl-test:")
            try:
                await r.set("ttl-test:orphan", "dead-process-token", px=400)
                started = time.monotonic()
                async with locks.hold("orphan", timeout=5):
                    waited = time.monotonic() - started
                assert 0.2 < waited < 3
                # And the dead holder's token no longer releases anything.
                assert await r.get("ttl-test:orphan") is None
            finally:
                await locks.close()
                await r.aclose()

        run(body())

    def test_long_critical_section_keeps_its_lock(self, redis_url: str) -> None:
        async def body() -> None:
            a = RedisLocks(redis_url, ttl=0.6, prefix="renew-test:")
            b = RedisLocks(redis_url, ttl=0.6, prefix="renew-test:")
            try:
                async with a.hold("long", timeout=2):
                    # Three ttls pass while held; b must still not get in.
                    with pytest.raises(ServiceUnavailable):
                        async with b.hold("long", timeout=2.0):
                            pytest.fail("lock expired while its holder was alive")
                async with b.hold("long", timeout=1.0):
                    pass
            finally:
                await a.close()
                await b.close()

        run(body())

    def test_release_does_not_delete_someone_elses_lock(self, redis_url: str) -> None:
        async def body() -> None:
            r = aioredis.Redis.from_url(redis_url)
            locks = RedisLocks(redis_url, ttl=5, prefix="steal-test:")
            try:
                async with locks.hold("k", timeout=1):
                    # Pretend our key expired and another holder took it over.
                    await r.set("steal-test:k", "someone-else", px=5000)
                assert await r.get("steal-test:k") == b"someone-else"
            finally:
                await r.delete("steal-test:k")
                await locks.close()
                await r.aclose()

        run(body())

    def test_unreachable_redis_is_unavailable(self) -> None:
        async def body() -> None:
            locks = RedisLocks(f"redis://127.0.0.1:{free_port()}/0")
            try:
                started = time.monotonic()
                with pytest.raises(ServiceUnavailable):
                    async with locks.hold("x", timeout=2):
                        pytest.fail("acquired a lock without Redis")
                assert time.monotonic() - started < 10
                # The local queue was released too: a second attempt fails the same way, not by timeout.
                with pytest.raises(ServiceUnavailable):
                    async with locks.hold("x", timeout=2):
                        pass
            finally:
                await locks.close()

        run(body())
