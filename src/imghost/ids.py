import secrets
import string

_ALPHABET = string.ascii_letters + string.digits

# Images and albums share one id space: 7 characters (5 for legacy ones), at most 10 for ids brought over
# from elsewhere; deletehashes are 15, at most 32. The length alone says which one a reference is.
ID_LENGTH = 7
LEGACY_ID_LENGTH = 5
MAX_ID_LENGTH = 10
DELETEHASH_LENGTH = 15
MAX_DELETEHASH_LENGTH = 32
# Numbered rows (comments, messages, conversations): ids past this are not ids (and would overflow a
# BIGINT parameter).
MAX_ROW_ID = 2**62


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


def kind(ref: str) -> str | None:
    """ "id", "deletehash", or None for a reference that can be neither."""
    if not plausible(ref):
        return None
    if len(ref) <= MAX_ID_LENGTH:
        return "id"
    return "deletehash" if len(ref) <= MAX_DELETEHASH_LENGTH else None


def is_id(ref: str) -> bool:
    return kind(ref) == "id"


def image_id() -> str:
    return random_id(ID_LENGTH)


def deletehash() -> str:
    return random_id(DELETEHASH_LENGTH)


def blob_id() -> str:
    """Names a stored file: 128 random bits, hex, so that its first two characters spread files evenly
    over 256 directories (or key prefixes)."""
    return secrets.token_hex(16)


def client_id() -> str:
    return secrets.token_hex(8)[:15]


def client_secret() -> str:
    return secrets.token_hex(20)


def row_number(value: str | int) -> int | None:
    """A numbered row's id from a path segment or a parameter, or None when it cannot be one."""
    if isinstance(value, int):
        number = value
    elif value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
    else:
        return None
    return number if 0 < number < MAX_ROW_ID else None
