"""Finding Imgur links in text and pointing them elsewhere (imghost.domain.imports.links), on its own."""

from __future__ import annotations

import pytest

from imghost.domain.imports.links import (
    ALBUM,
    GALLERY,
    IMAGE,
    Link,
    find_links,
    local_path,
    rewrite,
    unrecognised,
)


def one(text: str) -> Link:
    found = list(find_links(text))
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "kind", "ident", "ext", "suffix", "span"),
    [
        ("https://i.imgur.com/AbC1234.jpg", IMAGE, "AbC1234", "jpg", "", "https://i.imgur.com/AbC1234.jpg"),
        (
            "see http://i.imgur.com/AbC1234.PNG.",
            IMAGE,
            "AbC1234",
            "png",
            "",
            "http://i.imgur.com/AbC1234.PNG",
        ),
        ("//i.imgur.com/AbC12.gif", IMAGE, "AbC12", "gif", "", "//i.imgur.com/AbC12.gif"),
        ("i.imgur.com/AbC1234m.jpg", IMAGE, "AbC1234", "jpg", "m", "i.imgur.com/AbC1234m.jpg"),
        ("i.imgur.com/AbC12s.png", IMAGE, "AbC12", "png", "s", "i.imgur.com/AbC12s.png"),
        ("i.imgur.com/AbC1234.gifv", IMAGE, "AbC1234", "gifv", "", "i.imgur.com/AbC1234.gifv"),
        ("https://imgur.com/AbC1234", IMAGE, "AbC1234", "", "", "https://imgur.com/AbC1234"),
        ("https://m.imgur.com/AbC1234", IMAGE, "AbC1234", "", "", "https://m.imgur.com/AbC1234"),
        ("www.imgur.com/AbC1234", IMAGE, "AbC1234", "", "", "www.imgur.com/AbC1234"),
        ("imgur.com/a/XyZ9876", ALBUM, "XyZ9876", "", "", "imgur.com/a/XyZ9876"),
        ("https://imgur.com/gallery/XyZ98", GALLERY, "XyZ98", "", "", "https://imgur.com/gallery/XyZ98"),
        (
            "https://imgur.com/gallery/a-day-out-XyZ9876",
            GALLERY,
            "XyZ9876",
            "",
            "",
            "https://imgur.com/gallery/a-day-out-XyZ9876",
        ),
        # A 7-character name ending in a thumbnail letter is an id, not a thumbnail of a 6-character one.
        ("i.imgur.com/AbC123m.jpg", IMAGE, "AbC123m", "jpg", "", "i.imgur.com/AbC123m.jpg"),
        # A query or fragment stays outside the span.
        (
            "https://i.imgur.com/AbC1234.jpg?1#x",
            IMAGE,
            "AbC1234",
            "jpg",
            "",
            "https://i.imgur.com/AbC1234.jpg",
        ),
    ],
)
def test_every_shape_is_found(text: str, kind: str, ident: str, ext: str, suffix: str, span: str) -> None:
    link = one(text)
    assert (link.kind, link.id, link.ext, link.suffix, link.text) == (kind, ident, ext, suffix, span)
    assert text[link.start : link.end] == span


@pytest.mark.parametrize(
    "text",
    [
        "https://imgur.com/user/someone",
        "https://imgur.com/t/cats/AbC1234",
        "notimgur.com/AbC1234.jpg",
        "https://i.stack.imgur.com/AbC1234.png",
        "https://example.com/i.imgur.com/AbC1234.jpg",
        "i.imgur.com/AbC1234.exe",
        "i.imgur.com/AbC123.jpg",  # six characters not ending in a size letter
        "imgur.com/about",
        "imgur.com/",
        "mail me at someone@imgur.com",
    ],
)
def test_what_is_not_an_image_or_album_link_is_left_alone(text: str) -> None:
    assert list(find_links(text)) == []


def test_links_in_markdown_html_and_bbcode_keep_their_surroundings() -> None:
    text = (
        '![x](https://i.imgur.com/AAAAAAA.jpg "t") <img src="//i.imgur.com/BBBBBBB.png"> '
        "[img]i.imgur.com/CCCCCCCl.jpg[/img] [url=imgur.com/a/DDDDDDD]album[/url] (imgur.com/EEEEEEE)"
    )
    found = list(find_links(text))
    assert [(f.kind, f.id) for f in found] == [
        (IMAGE, "AAAAAAA"),
        (IMAGE, "BBBBBBB"),
        (IMAGE, "CCCCCCC"),
        (ALBUM, "DDDDDDD"),
        (IMAGE, "EEEEEEE"),
    ]
    out = rewrite(
        text, lambda link: f"H/{local_path(link, link.id.lower(), 'jpg', album=link.kind == ALBUM)}"
    )
    assert out == (
        '![x](H/aaaaaaa.jpg "t") <img src="H/bbbbbbb.png"> '
        "[img]H/cccccccl.jpg[/img] [url=H/a/ddddddd]album[/url] (H/eeeeeee)"
    )


def test_a_rewrite_leaves_links_without_a_target_as_written() -> None:
    text = "a https://i.imgur.com/AAAAAAA.jpg b https://i.imgur.com/BBBBBBB.jpg c"
    out = rewrite(text, lambda link: "NEW" if link.id == "BBBBBBB" else None)
    assert out == "a https://i.imgur.com/AAAAAAA.jpg b NEW c"


def test_unrecognised_imgur_links_are_listed_for_the_report() -> None:
    text = "https://imgur.com/user/someone and https://i.imgur.com/AAAAAAA.jpg"
    assert list(unrecognised(text)) == ["https://imgur.com/user/someone"]


def test_webm_links_point_at_the_mp4_that_is_here() -> None:
    link = one("https://i.imgur.com/AAAAAAA.webm")
    assert local_path(link, "AAAAAAA", "gif", album=False) == "AAAAAAA.mp4"
