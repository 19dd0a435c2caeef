import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def random_id(length: int) -> str:
    # One read of the system's random source, not one per character. Bytes of 248 and above are
    # dropped so that each of the 62 characters stays exactly as likely (248 = 4 × 62).
    out: list[str] = []
    while len(out) < length:
        out.extend(_ALPHABET[b % 62] for b in secrets.token_bytes(length + 8) if b < 248)
    return "".join(out[:length])


def plausible(value: str) -> bool:
    """Could this be an id or deletehash at all? Every one imghost makes (and every Imgur id) is ASCII
    letters and digits, so anything else is answered as not found before it reaches a query: a NUL
    byte, say, that PostgreSQL cannot even hold in a text value."""
    return value.isascii() and value.isalnum()


def image_id() -> str:
    return random_id(7)


def deletehash() -> str:
    return random_id(15)


def blob_id() -> str:
    """Names a stored file: 128 random bits, hex, so that its first two characters spread files evenly
    over 256 directories (or key prefixes)."""
    return secrets.token_hex(16)


def client_id() -> str:
    return secrets.token_hex(8)[:15]


def client_secret() -> str:
    return secrets.token_hex(20)
