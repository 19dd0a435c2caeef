import secrets
import string

_ALPHABET = string.ascii_letters + string.digits


def random_id(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def image_id() -> str:
    return random_id(7)


def deletehash() -> str:
    return random_id(15)


def client_id() -> str:
    return secrets.token_hex(8)[:15]


def client_secret() -> str:
    return secrets.token_hex(20)
