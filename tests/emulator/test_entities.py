"""Unit tests of the HTML parser / renderer (no server)."""

from __future__ import annotations

import pytest

from bot.emulator.entities import ParseError, detect_entities, parse_html, render_html, utf16_len


def test_utf16_len():
    assert utf16_len("abc") == 3
    assert utf16_len("नमस्ते") == 6
    assert utf16_len("😀a") == 3


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("a <x> b", 'Unsupported start tag "x" at byte offset 2'),
        ("क <x>", 'Unsupported start tag "x" at byte offset 4'),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("a <b", "Unclosed start tag at byte offset 2"),
        ('<span class="x">y</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
    ],
)
def test_parse_errors_like_telegram(src, message):
    with pytest.raises(ParseError) as info:
        parse_html(src)
    assert str(info.value) == message


def test_parse_entities_and_offsets():
    text, ents = parse_html("😀 <b>ab <i>c</i></b> <a href='tg://user?id=1'>m</a>")
    assert text == "😀 ab c m"
    assert {"type": "bold", "offset": 3, "length": 4} in ents
    assert {"type": "italic", "offset": 6, "length": 1} in ents
    assert ents[-1]["type"] == "text_link"
    text, ents = parse_html("<blockquote expandable>q</blockquote><pre>p</pre>")
    assert [e["type"] for e in ents] == ["expandable_blockquote", "pre"]
    assert parse_html("1 &lt; 2 &amp;&amp; &#x41;&#66;")[0] == "1 < 2 && AB"


def test_strict_ampersand():
    assert parse_html("a & b")[0] == "a & b"
    with pytest.raises(ParseError):
        parse_html("a & b", strict_amp=True)


def test_render_is_safe_and_nested():
    html = render_html(
        "<script> bold",
        [
            {"type": "bold", "offset": 9, "length": 4},
            {"type": "text_link", "offset": 0, "length": 8, "url": "javascript:alert(1)"},
        ],
    )
    assert "<script>" not in html and "javascript" not in html
    assert html.endswith("<b>bold</b>")
    overlapping = render_html(
        "abcdef",
        [{"type": "bold", "offset": 0, "length": 4}, {"type": "italic", "offset": 2, "length": 4}],
    )
    assert overlapping == "<b>ab<i>cd</i></b><i>ef</i>"


def test_detect_entities():
    ents = detect_entities("see /help@odop_saathi_bot and https://up.gov.in, @someone #ओडीओपी")
    kinds = [e["type"] for e in ents]
    assert kinds == ["bot_command", "url", "mention", "hashtag"]
    assert detect_entities("a/b 1/2") == []
