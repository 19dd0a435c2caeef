"""OAuth 2 as Imgur does it: authorization codes, PINs, bearer access tokens and refresh tokens.

Every secret is stored as its SHA-256: they are 160 random bits, so a fast hash is enough, and a leaked
database holds nothing that can be presented."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from imghost.auth import Subject
from imghost.db.database import Database
from imghost.errors import InvalidRequest


def _h(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    account_id: int
    username: str

    def json(self) -> dict[str, object]:
        return {
            "access_token": self.access_token,
            "expires_in": self.expires_in,
            "token_type": "bearer",
            "scope": None,
            "refresh_token": self.refresh_token,
            "account_id": self.account_id,
            "account_username": self.username,
        }


@dataclass(frozen=True, slots=True)
class Grant:
    client_id: str
    client_name: str
    tokens: int
    granted_at: int


class OAuthService:
    def __init__(self, db: Database, *, token_lifetime: int, code_lifetime: int = 600) -> None:
        self.db = db
        self.token_lifetime = token_lifetime
        self.code_lifetime = code_lifetime

    # ------------------------------------------------------------ bearer tokens (the API edge's resolver)

    async def resolve(self, token: str, client_id: str | None) -> Subject | None:
        row = await self.db.fetch_one(
            "SELECT t.client_id, t.account_id, t.access_expires_at, a.username, a.banned FROM tokens t"
            " JOIN accounts a ON a.id = t.account_id WHERE t.access_hash = :h",
            {"h": _h(token)},
        )
        if row is None or row["access_expires_at"] < time.time():
            return None
        return Subject(
            client_id=row["client_id"],
            account_id=int(row["account_id"]),
            username=row["username"],
            banned=bool(row["banned"]),
        )

    async def issue(self, client_id: str, account_id: int, username: str) -> TokenPair:
        access, refresh = secrets.token_hex(20), secrets.token_hex(20)
        now = int(time.time())
        async with self.db.transaction() as tx:
            await tx.execute(
                "INSERT INTO tokens (access_hash, refresh_hash, client_id, account_id, access_expires_at, created_at)"
                " VALUES (:a, :r, :c, :acct, :exp, :now)",
                {
                    "a": _h(access),
                    "r": _h(refresh),
                    "c": client_id,
                    "acct": account_id,
                    "exp": now + self.token_lifetime,
                    "now": now,
                },
            )
        return TokenPair(access, refresh, self.token_lifetime, account_id, username)

    async def refresh(self, client_id: str, refresh_token: str) -> TokenPair:
        """A new access token for a refresh token; the refresh token itself stays valid (as on Imgur)."""
        row = await self.db.fetch_one(
            "SELECT t.id, t.client_id, t.account_id, a.username FROM tokens t JOIN accounts a ON a.id = t.account_id"
            " WHERE t.refresh_hash = :h",
            {"h": _h(refresh_token or "")},
        )
        if row is None or row["client_id"] != client_id:
            raise InvalidRequest("Invalid refresh token")
        access = secrets.token_hex(20)
        async with self.db.transaction() as tx:
            await tx.execute(
                "UPDATE tokens SET access_hash = :a, access_expires_at = :exp WHERE id = :id",
                {"a": _h(access), "exp": int(time.time()) + self.token_lifetime, "id": row["id"]},
            )
        return TokenPair(access, refresh_token, self.token_lifetime, int(row["account_id"]), row["username"])

    async def revoke_token(self, token: str) -> bool:
        h = _h(token)
        return bool(
            await self.db.execute("DELETE FROM tokens WHERE access_hash = :h OR refresh_hash = :h", {"h": h})
        )

    async def grants(self, account_id: int) -> list[Grant]:
        """The applications holding tokens for this account: one line each, newest grant first."""
        rows = await self.db.fetch_all(
            "SELECT t.client_id, c.name, COUNT(*) AS n, MAX(t.created_at) AS last FROM tokens t"
            " JOIN clients c ON c.id = t.client_id WHERE t.account_id = :a"
            " GROUP BY t.client_id, c.name ORDER BY last DESC, t.client_id",
            {"a": account_id},
        )
        return [Grant(r["client_id"], r["name"], int(r["n"]), int(r["last"])) for r in rows]

    async def revoke_grant(self, account_id: int, client_id: str) -> int:
        """Every token this account gave this application: the application must ask again."""
        return await self.db.execute(
            "DELETE FROM tokens WHERE account_id = :a AND client_id = :c", {"a": account_id, "c": client_id}
        )

    async def revoke_account(self, account_id: int) -> int:
        return await self.db.execute("DELETE FROM tokens WHERE account_id = :a", {"a": account_id})

    # ------------------------------------------------------------ codes and PINs

    async def new_code(self, kind: str, client_id: str, account_id: int) -> str:
        # PINs are typed by people: shorter, digits and capitals only, still single-use and short-lived.
        code = (
            secrets.token_hex(20)
            if kind == "code"
            else "".join(secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ23456789") for _ in range(10))
        )
        await self.db.execute(
            "INSERT INTO auth_codes (code_hash, kind, client_id, account_id, expires_at)"
            " VALUES (:h, :k, :c, :a, :exp)",
            {
                "h": _h(code),
                "k": kind,
                "c": client_id,
                "a": account_id,
                "exp": int(time.time()) + self.code_lifetime,
            },
        )
        return code

    async def redeem(self, kind: str, client_id: str, code: str) -> tuple[int, str]:
        """Exchange a code or PIN once. Returns (account id, username)."""
        h = _h(code or "")
        async with self.db.transaction() as tx:
            row = await tx.fetch_one(
                "SELECT c.kind, c.client_id, c.account_id, c.expires_at, a.username FROM auth_codes c"
                " JOIN accounts a ON a.id = c.account_id WHERE c.code_hash = :h",
                {"h": h},
            )
            # Delete first: a code is spent by any attempt to use it, right or wrong.
            await tx.execute("DELETE FROM auth_codes WHERE code_hash = :h", {"h": h})
        if (
            row is None
            or row["kind"] != kind
            or row["client_id"] != client_id
            or row["expires_at"] < time.time()
        ):
            raise InvalidRequest(f"Invalid {'authorization code' if kind == 'code' else 'pin'}")
        return int(row["account_id"]), row["username"]
