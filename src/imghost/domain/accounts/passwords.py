"""argon2id password hashes. Hashing is deliberately slow and memory-hard, so it runs in a thread."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# 19 MiB, 2 passes, 1 lane: the OWASP minimum for argon2id, about 20 ms here.
_hasher = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(stored: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(check)


# Verifying against this when the user does not exist keeps the answer time the same.
DUMMY_HASH = _hasher.hash("imghost-no-such-user")
