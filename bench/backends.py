"""The scale-out stack for `--config scaleout`: PostgreSQL + Redis + SeaweedFS (S3), all on 127.0.0.1.

The project's test helpers (tests/services.py) start the servers when they are importable; otherwise a
minimal starter of the same recipes (services_min.py) does. Either way every server is stopped and its
files removed when the `with` block ends."""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

from common import ROOT, log, register_cpu_marker

BUCKET = "imghost-bench"


def _servers() -> tuple[Any, Any, Any, str]:
    try:
        sys.path.insert(0, str(ROOT))
        from tests import services  # type: ignore[import-not-found]

        return services.PostgresServer, services.RedisServer, services.SeaweedServer, "tests/services.py"
    except Exception as exc:
        log(f"    tests/services.py unusable ({type(exc).__name__}: {exc}); using bench/services_min.py")
        from services_min import PostgresServer, RedisServer, SeaweedServer

        return PostgresServer, RedisServer, SeaweedServer, "bench/services_min.py"
    finally:
        if sys.path and sys.path[0] == str(ROOT):
            sys.path.pop(0)


@contextlib.contextmanager
def scaleout_stack() -> Iterator[dict[str, str]]:
    pg_cls, redis_cls, weed_cls, origin = _servers()
    t0 = time.monotonic()
    with contextlib.ExitStack() as stack:
        pg = pg_cls()
        stack.callback(pg.close)
        pg.start()
        register_cpu_marker(str(pg.dir))  # the postmaster is not our child (pg_ctl daemonizes it)
        redis = redis_cls()
        stack.callback(redis.close)
        redis.start()
        weed = weed_cls(buckets=(BUCKET,))
        stack.callback(weed.close)
        weed.start()
        log(f"    PostgreSQL, Redis and SeaweedFS up in {time.monotonic() - t0:.1f} s (via {origin})")
        yield {
            "IMGHOST_DATABASE_URL": pg.dsn,
            "IMGHOST_REDIS_URL": redis.url,
            "IMGHOST_STORAGE_URL": f"s3://{BUCKET}/media",
            "IMGHOST_S3_ENDPOINT_URL": weed.endpoint_url,
            "IMGHOST_S3_ACCESS_KEY": weed.access_key,
            "IMGHOST_S3_SECRET_KEY": weed.secret_key,
        }
        log("    stopping the scale-out services")
