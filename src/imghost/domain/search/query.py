"""The search language of /3/gallery/search, parsed into a small tree that index.py compiles for each
database. Nothing a person types reaches a database as syntax: words become quoted strings, qualifiers
become marks (below), operators become the tree's nodes.

`q`:
- words, AND between them unless OR says otherwise: `cats dogs` = `cats AND dogs`; `cats OR dogs`;
  `NOT cats`; operators are upper case (`and`, `or`, `not` are words). NOT binds tighter than AND, AND
  tighter than OR; parentheses group: `(cats OR dogs) NOT funny`.
- "quoted phrases": the words in that order.
- qualifiers, on a word, a phrase or a group, with or without a space after the colon
  (`title: cats`, `tag:"rock and roll"`, `user:(alice OR bob)`):
  `title:` the post's title only; `user:` the author (exact username); `tag:` a tag (exact name);
  `subreddit:` the community the post was filed under; `ext:` the image's file type (jpg, png, gif, mp4...);
  `album:` true/yes/1 for albums, false/no/0 for images; `meme:` is accepted and searches as plain words
  (imghost keeps no meme metadata). An unknown `name:value` is searched as the words it holds.
- Words without a qualifier are looked for in the title, the description, the tag names and the username.

Advanced fields (any one given wins over `q`; they combine with AND): `q_all` all these words, `q_any` any
of these words, `q_exactly` this phrase, `q_not` none of these words, `q_type` jpg | png | gif (GIF files,
still or animated) | anigif (animated GIFs) | album, `q_size_px` the larger side of the image: small ≤ 500,
med 501-2000, big 2001-5000, lrg 5001-9999, huge ≥ 10000 (albums have no size).

Malformed input is read leniently rather than refused: an unclosed quote runs to the end, a missing `)` is
supplied and a stray one skipped, a NOT or qualifier with nothing after it is dropped, and so are words
without a letter or digit. What is refused (InvalidSearch, a 400): nothing left to search for, more than
MAX_LENGTH characters in a field, more than MAX_TERMS terms, groups nested deeper than MAX_DEPTH, an
unknown q_type or q_size_px. These bounds keep every search's work small, whatever it is sent.

Marks are the index's exact-match tokens (see migrations/versions/0008_search.py): hex keeps any name one
plain token for both databases' tokenizers."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from imghost.errors import InvalidSearch

MAX_LENGTH = 1000
MAX_TERMS = 32
MAX_DEPTH = 8

ALL, IMAGE, ALBUM, ANIMATED = "kall", "kimage", "kalbum", "kanim"
NOTHING = "knone"  # indexed for no post: what a qualifier with an impossible value matches

SIZES = {
    "small": (1, 500),
    "med": (501, 2000),
    "big": (2001, 5000),
    "lrg": (5001, 9999),
    "huge": (10000, 2**31 - 1),
}
OPERATORS = ("AND", "OR", "NOT")
QUALIFIERS = ("title", "user", "tag", "subreddit", "ext", "album", "meme")
_YES = {"true", "yes", "1", "on"}
_NO = {"false", "no", "0", "off"}
_EXT_ALIASES = {"jpeg": "jpg"}


def _hex(value: str) -> str:
    return value.encode("utf-8").hex()


def _mark(prefix: str, value: str, longest: int) -> str:
    # Longer than any stored name can be: nothing to find (and no oversized token for the index).
    return prefix + _hex(value) if len(value) <= longest else NOTHING


def user_mark(name: str) -> str:
    return _mark("u", name.strip().lower(), 63)


def tag_mark(name: str) -> str:
    return _mark("t", name.strip().lstrip("#").strip().lower(), 64)


def community_mark(name: str) -> str:
    value = name.strip().lower()
    for prefix in ("/r/", "r/"):
        value = value.removeprefix(prefix)
    return _mark("c", value, 32)


def ext_mark(ext: str) -> str:
    value = ext.strip().lower().lstrip(".")
    value = _EXT_ALIASES.get(value, value)
    return "x" + value if value.isascii() and value.isalnum() else NOTHING


# ----------------------------------------------------------------------------------------- the tree


@dataclass(frozen=True, slots=True)
class Text:
    """Words to find in this order (one word, or a phrase); field "title" or None (every text field)."""

    text: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class Mark:
    token: str


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Node


Node = Text | Mark | And | Or | Not


@dataclass(frozen=True, slots=True)
class Search:
    """What a search asks for: posts whose index entry matches `match`, and of an image size in `px`."""

    match: Node
    px: tuple[int, int] | None = None


def searchable(text: str) -> str:
    """A word or phrase as the index is asked for it: control characters, quotes and backslashes (the
    only characters with a meaning inside the quoted strings index.py writes) become spaces."""
    out = [" " if c in "\"'\\" or unicodedata.category(c)[0] == "C" else c for c in text]
    return " ".join("".join(out).split())


def has_word(text: str) -> bool:
    return any(c.isalnum() for c in text)


# ------------------------------------------------------------------------------------------- lexing

_WORD, _PHRASE, _QUAL, _OPEN, _CLOSE, _OP = "word", "phrase", "qual", "(", ")", "op"
Token = tuple[str, str]


def _tokens(q: str) -> Iterator[Token]:
    i, n = 0, len(q)
    while i < n:
        c = q[i]
        if c.isspace() or unicodedata.category(c)[0] == "C":
            i += 1
        elif c in "()":
            yield c, c
            i += 1
        elif c == '"':
            end = q.find('"', i + 1)
            end = n if end < 0 else end
            yield _PHRASE, q[i + 1 : end]
            i = end + 1
        else:
            j = i
            while j < n and not (q[j].isspace() or q[j] in '()"' or unicodedata.category(q[j])[0] == "C"):
                j += 1
            yield from _bare(q[i:j])
            i = j


def _bare(run: str) -> Iterator[Token]:
    if run in OPERATORS:
        yield _OP, run
        return
    name, colon, value = run.partition(":")
    if colon and name.lower() in QUALIFIERS:
        yield _QUAL, name.lower()
        if value:
            yield _WORD, value
        return
    yield _WORD, run


# ------------------------------------------------------------------------------------------ parsing


class _Parser:
    def __init__(self, q: str) -> None:
        self.tokens = list(_tokens(q))
        self.at = 0

    def peek(self) -> Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def query(self) -> Node | None:
        parts: list[Node | None] = []
        while self.peek() is not None:
            parts.append(self.any_of(0))
            if self.peek() == (_CLOSE, _CLOSE):
                self.take()  # a stray ")"
        return _and(parts)

    def any_of(self, depth: int) -> Node | None:
        items = [self.all_of(depth)]
        while self.peek() == (_OP, "OR"):
            self.take()
            items.append(self.all_of(depth))
        return _or(items)

    def all_of(self, depth: int) -> Node | None:
        items: list[Node | None] = []
        while (token := self.peek()) is not None and token[0] != _CLOSE and token != (_OP, "OR"):
            if token == (_OP, "AND"):
                self.take()
                continue
            items.append(self.unary(depth))
        return _and(items)

    def unary(self, depth: int) -> Node | None:
        negated = False
        while self.peek() == (_OP, "NOT"):
            self.take()
            negated = not negated
        token = self.peek()
        if token is None or token[0] in (_CLOSE, _OP):
            return None  # NOT with nothing to negate
        item = self.primary(depth)
        return Not(item) if negated and item is not None else item

    def primary(self, depth: int) -> Node | None:
        kind, value = self.take()
        if kind == _OPEN:
            if depth >= MAX_DEPTH:
                raise InvalidSearch(f"Search groups nest at most {MAX_DEPTH} deep")
            inner = self.any_of(depth + 1)
            if self.peek() == (_CLOSE, _CLOSE):
                self.take()
            return inner
        if kind == _QUAL:
            token = self.peek()
            if token is None or token[0] in (_CLOSE, _OP, _QUAL) and token != (_OP, "NOT"):
                return None  # a qualifier with nothing after it
            target = self.unary(depth)
            return None if target is None else qualify(value, target)
        return Text(value)


def _and(items: list[Node | None]) -> Node | None:
    kept = [i for i in items if i is not None]
    return None if not kept else kept[0] if len(kept) == 1 else And(tuple(kept))


def _or(items: list[Node | None]) -> Node | None:
    kept = [i for i in items if i is not None]
    return None if not kept else kept[0] if len(kept) == 1 else Or(tuple(kept))


def qualify(name: str, node: Node) -> Node:
    """A qualifier applied to every word or phrase under node."""
    if isinstance(node, And):
        return And(tuple(qualify(name, i) for i in node.items))
    if isinstance(node, Or):
        return Or(tuple(qualify(name, i) for i in node.items))
    if isinstance(node, Not):
        return Not(qualify(name, node.item))
    if isinstance(node, Mark) or name == "meme":
        return node
    value = node.text
    if name == "title":
        return Text(value, "title")
    if name == "user":
        return Mark(user_mark(value))
    if name == "tag":
        return Mark(tag_mark(value))
    if name == "subreddit":
        return Mark(community_mark(value))
    if name == "ext":
        return Mark(ext_mark(value))
    flag = value.strip().lower()
    return Mark(ALBUM if flag in _YES else IMAGE if flag in _NO else NOTHING)


# --------------------------------------------------------------------------------------- simplifying


def simplify(node: Node | None) -> Node | None:
    """Words without a letter or digit dropped (and what becomes empty with them), nested ANDs and ORs
    flattened, double negations removed."""
    if node is None or isinstance(node, Mark):
        return node
    if isinstance(node, Text):
        text = searchable(node.text)
        return Text(text, node.field) if has_word(text) else None
    if isinstance(node, Not):
        inner = simplify(node.item)
        return None if inner is None else inner.item if isinstance(inner, Not) else Not(inner)
    flat: list[Node] = []
    for item in node.items:
        s = simplify(item)
        if isinstance(s, And) and isinstance(node, And) or isinstance(s, Or) and isinstance(node, Or):
            flat.extend(s.items)
        elif s is not None:
            flat.append(s)
    unique = tuple(dict.fromkeys(flat))
    if len(unique) <= 1:
        return unique[0] if unique else None
    return And(unique) if isinstance(node, And) else Or(unique)


def terms(node: Node) -> int:
    if isinstance(node, Text | Mark):
        return 1
    if isinstance(node, Not):
        return terms(node.item)
    return sum(terms(i) for i in node.items)


# ------------------------------------------------------------------------------------------ entries


def _bounded(name: str, value: str | None) -> str:
    text = (value or "").strip()
    if len(text) > MAX_LENGTH:
        raise InvalidSearch(f"{name} is at most {MAX_LENGTH} characters")
    return text


def parse_q(q: str | None) -> Node | None:
    text = _bounded("q", q)
    return simplify(_Parser(text).query()) if text else None


def _words(value: str) -> list[Node | None]:
    return [Text(w) for w in value.split()]


def parse_advanced(
    *,
    q_all: str | None = None,
    q_any: str | None = None,
    q_exactly: str | None = None,
    q_not: str | None = None,
    q_type: str | None = None,
    q_size_px: str | None = None,
) -> tuple[Node | None, tuple[int, int] | None, bool]:
    """(what to match, the size range, whether any advanced field was given at all)."""
    fields = {
        "q_all": _bounded("q_all", q_all),
        "q_any": _bounded("q_any", q_any),
        "q_exactly": _bounded("q_exactly", q_exactly),
        "q_not": _bounded("q_not", q_not),
        "q_type": _bounded("q_type", q_type).lower(),
        "q_size_px": _bounded("q_size_px", q_size_px).lower(),
    }
    parts: list[Node | None] = []
    if fields["q_all"]:
        parts.append(_and(_words(fields["q_all"])))
    if fields["q_any"]:
        parts.append(_or(_words(fields["q_any"])))
    if fields["q_exactly"]:
        parts.append(Text(fields["q_exactly"]))
    if fields["q_not"]:
        parts.extend(Not(w) for w in _words(fields["q_not"]) if w is not None)
    kind = fields["q_type"]
    if kind:
        if kind == "album":
            parts.append(Mark(ALBUM))
        elif kind == "anigif":
            parts.append(And((Mark(ext_mark("gif")), Mark(ANIMATED))))
        elif kind in ("jpg", "jpeg", "png", "gif"):
            parts.append(Mark(ext_mark(kind)))
        else:
            raise InvalidSearch("q_type is one of jpg, png, gif, anigif, album")
    px = None
    if fields["q_size_px"]:
        if fields["q_size_px"] not in SIZES:
            raise InvalidSearch("q_size_px is one of small, med, big, lrg, huge")
        px = SIZES[fields["q_size_px"]]
    given = any(fields.values())
    return simplify(_and(parts)), px, given


def parse(
    q: str | None = None,
    *,
    q_all: str | None = None,
    q_any: str | None = None,
    q_exactly: str | None = None,
    q_not: str | None = None,
    q_type: str | None = None,
    q_size_px: str | None = None,
) -> Search:
    """The search these parameters ask for; the advanced fields, when any is given, instead of q."""
    match, px, advanced = parse_advanced(
        q_all=q_all, q_any=q_any, q_exactly=q_exactly, q_not=q_not, q_type=q_type, q_size_px=q_size_px
    )
    if not advanced:
        match = parse_q(q)
    elif match is None and px is not None:
        match = Mark(ALL)  # a size alone: every post of that size
    if match is None:
        raise InvalidSearch("Nothing to search for: send q (or q_all, q_any, q_exactly, q_not, q_type)")
    if terms(match) > MAX_TERMS:
        raise InvalidSearch(f"A search has at most {MAX_TERMS} terms")
    return Search(match, px)
