"""Params: one view of the parameters Imgur clients put in the path, the body and the query string."""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
from starlette.requests import Request

from imghost.errors import InvalidRequest, ParametersTooLarge
from imghost.http.params import Params, read_params

# ---------------------------------------------------------------------------------------- real requests


def request(method: str = "POST", *, query: str = "", body: bytes = b"", ctype: str | None = None) -> Request:
    headers = [(b"content-length", str(len(body)).encode())]
    if ctype is not None:
        headers.append((b"content-type", ctype.encode()))
    scope: dict[str, Any] = {
        "type": "http",
        "method": method,
        "path": "/3/image/abc",
        "raw_path": b"/3/image/abc",
        "query_string": query.encode(),
        "headers": headers,
        "http_version": "1.1",
        "scheme": "http",
        "server": ("testserver", 80),
        "client": ("127.0.0.1", 1234),
        "root_path": "",
    }
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return Request(scope, receive)


def multipart(fields: list[tuple[str, str]]) -> tuple[bytes, str]:
    boundary = "----imghostBoundary7MA4YWxk"
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n' for k, v in fields]
    return ("".join(parts) + f"--{boundary}--\r\n").encode(), f"multipart/form-data; boundary={boundary}"


def params(req: Request, path: dict[str, str] | None = None) -> Params:
    return asyncio.run(read_params(req, path))


JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def test_query_only() -> None:
    assert params(request("GET", query="title=q")).get("title") == "q"


def test_json_beats_query_and_path_beats_json() -> None:
    req = lambda: request(query="title=q", body=orjson.dumps({"title": "j"}), ctype=JSON)  # noqa: E731
    assert params(req()).get("title") == "j"
    assert params(req(), {"title": "p"}).get("title") == "p"


def test_multipart_beats_query_and_path_beats_multipart() -> None:
    body, ctype = multipart([("title", "m"), ("description", "d")])
    req = lambda: request(query="title=q&description=qd&x=1", body=body, ctype=ctype)  # noqa: E731
    p = params(req())
    assert (p.get("title"), p.get("description"), p.get("x")) == ("m", "d", "1")
    assert params(req(), {"title": "p"}).get("title") == "p"


def test_urlencoded_beats_query_and_path_beats_urlencoded() -> None:
    req = lambda: request(query="title=q&only=query", body=b"title=u&desc=x", ctype=FORM)  # noqa: E731
    p = params(req())
    assert (p.get("title"), p.get("desc"), p.get("only")) == ("u", "x", "query")
    assert params(req(), {"title": "p"}).get("title") == "p"


def test_body_is_ignored_on_get() -> None:
    p = params(request("GET", query="title=q", body=b"title=u", ctype=FORM))
    assert p.get("title") == "q"


def test_json_without_content_type() -> None:
    assert params(request(body=b'{"title": "j"}')).get("title") == "j"


def test_bare_comma_list_body_is_ids() -> None:
    assert params(request(body=b"a1,b2,c3", ctype=FORM)).get_list("ids") == ["a1", "b2", "c3"]


def test_json_values_become_strings() -> None:
    body = orjson.dumps({"n": 5, "f": 1.5, "t": True, "no": False, "nothing": None})
    p = params(request(body=body, ctype=JSON))
    got = (p.get("n"), p.get("f"), p.get("t"), p.get("no"), p.get("nothing"))
    assert got == ("5", "1.5", "true", "false", None)
    assert p.has("nothing") is True
    assert (p.get_bool("t"), p.get_bool("no")) == (True, False)


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b'"text"'])
def test_bad_json_is_invalid_request(body: bytes) -> None:
    with pytest.raises(InvalidRequest):
        params(request(body=body, ctype=JSON))


@pytest.mark.parametrize("ctype", [FORM, JSON])
def test_oversized_body_is_413(ctype: str) -> None:
    with pytest.raises(ParametersTooLarge) as info:
        params(request(body=b"a=" + b"x" * (1024 * 1024), ctype=ctype))
    assert info.value.status == 413


# ---------------------------------------------------------------------------------------- the layers


LAYERS = ["path", "json", "multipart", "urlencoded", "query"]


@pytest.mark.parametrize("first", range(5))
def test_precedence_of_all_five_layers(first: int) -> None:
    layers = [[("title", name), ("from_" + name, "1")] if i >= first else [] for i, name in enumerate(LAYERS)]
    p = Params(layers)
    assert p.get("title") == LAYERS[first]
    for i, name in enumerate(LAYERS):
        assert p.has("from_" + name) is (i >= first)


def test_last_value_wins_within_a_layer() -> None:
    p = Params([[], [], [], [("title", "a"), ("title", "b")], [("title", "q")]])
    assert p.get("title") == "b"


def test_aliases() -> None:
    p = Params([[("album_id", "x")]])
    assert p.get("album", "album_id") == "x"
    assert p.get("album") is None
    p = Params([[("album", "a"), ("album_id", "x")]])
    assert p.get("album", "album_id") == "a"
    assert Params([]).get("album", "album_id") is None


def test_absent() -> None:
    p = Params([[("a", "1")], [], []])
    assert (p.get("b"), p.has("b"), p.get_list("b"), p.get_bool("b"), p.get_bool("b", True)) == (
        None,
        False,
        None,
        False,
        True,
    )


# -------------------------------------------------------------------------------------------- get_list


def test_list_with_brackets_from_the_query() -> None:
    p = params(request("GET", query="ids[]=a&ids[]=b&ids[]=c"))
    assert p.get_list("ids") == ["a", "b", "c"]


def test_list_by_repeated_name() -> None:
    assert params(request("GET", query="ids=a&ids=b")).get_list("ids") == ["a", "b"]
    body, ctype = multipart([("ids", "a"), ("ids", "b")])
    assert params(request(body=body, ctype=ctype)).get_list("ids") == ["a", "b"]


def test_list_as_comma_string() -> None:
    assert params(request("GET", query=urlencode({"ids": "a,b,c"}))).get_list("ids") == ["a", "b", "c"]
    assert params(request(body=b"ids=a%2Cb", ctype=FORM)).get_list("ids") == ["a", "b"]
    assert Params([[("ids", " a , b ,, c ,")]]).get_list("ids") == ["a", "b", "c"]
    assert Params([[("ids", "")]]).get_list("ids") == []


def test_list_from_json() -> None:
    assert params(request(body=orjson.dumps({"ids": ["a", "b"]}), ctype=JSON)).get_list("ids") == ["a", "b"]
    assert params(request(body=orjson.dumps({"ids": "a,b"}), ctype=JSON)).get_list("ids") == ["a", "b"]
    req = request(body=orjson.dumps({"ids[]": ["x", " y "]}), ctype=JSON)
    assert params(req).get_list("ids") == ["x", "y"]
    assert Params([[("ids", [1, 2])]]).get_list("ids") == ["1", "2"]


def test_list_mixed_forms_in_one_layer() -> None:
    assert params(request("GET", query="ids[]=a,b&ids[]=c")).get_list("ids") == ["a", "b", "c"]


# -------------------------------------------------------------------------------------------- get_bool


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", True),
        ("True", True),
        ("TRUE", True),
        ("1", True),
        (" true ", True),
        ("yes", True),
        ("on", True),
        ("false", False),
        ("False", False),
        ("0", False),
        ("", False),
        ("no", False),
        ("off", False),
        ("2", False),
        ("nope", False),
    ],
)
def test_get_bool(value: str, expected: bool) -> None:
    assert Params([[("flag", value)]]).get_bool("flag") is expected
    assert Params([[("flag", value)]]).get_bool("flag", default=True) is expected
    assert params(request("GET", query=urlencode({"flag": value}))).get_bool("flag") is expected


def test_get_bool_absent_gives_the_default() -> None:
    assert Params([]).get_bool("flag") is False
    assert Params([]).get_bool("flag", default=True) is True
    assert params(request("GET", query="other=1")).get_bool("flag", True) is True


def test_list_follows_layer_precedence_whatever_the_spelling() -> None:
    """The documented precedence (path > JSON > multipart > urlencoded > query) holds for lists too: a JSON
    body's `ids` is not overridden by `ids[]` in the query string."""
    assert Params([[], [("ids", ["a", "b"])], [], [], [("ids[]", "z")]]).get_list("ids") == ["a", "b"]
    req = request(query="ids[]=z", body=orjson.dumps({"ids": ["a", "b"]}), ctype=JSON)
    assert params(req).get_list("ids") == ["a", "b"]
