"""Text formatting the way the Bot API does it: HTML parse_mode, entities, UTF-16 lengths.

The HTML parser follows the behaviour of Telegram's server (tdlib's ``parse_html``): the same
set of tags, the same error texts ("Unsupported start tag ...", "Can't find end tag ..."), entity
offsets and lengths in UTF-16 code units, leading/trailing whitespace trimmed after parsing.

``render_html`` goes the other way for the demo page: text + entities -> safe HTML.
"""

from __future__ import annotations

import html
import re
from typing import Any

__all__ = [
    "ParseError",
    "detect_entities",
    "parse_html",
    "render_html",
    "trim_text",
    "utf16_len",
]


class ParseError(ValueError):
    """The text can't be parsed; the message is Telegram's text after "can't parse entities: "."""


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (what Telegram counts)."""
    n = len(text)
    if text.isascii():
        return n
    return n + sum(1 for ch in text if ord(ch) > 0xFFFF)


def _u16(ch: str) -> int:
    return 2 if ord(ch) > 0xFFFF else 1


_ALLOWED_TAGS = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_SIMPLE_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
}


def _decode_entity(text: str, pos: int) -> tuple[str | None, int]:
    """Decode an HTML entity starting at ``text[pos] == '&'`` like tdlib (``;`` optional)."""
    n = len(text)
    end = pos + 1
    if end < n and text[end] == "#":
        end += 1
        value = 0
        digits = 0
        if end < n and text[end] in "xX":
            end += 1
            while end < n and text[end] in "0123456789abcdefABCDEF":
                value = value * 16 + int(text[end], 16)
                end += 1
                digits += 1
        else:
            while end < n and "0" <= text[end] <= "9":
                value = value * 10 + ord(text[end]) - 48
                end += 1
                digits += 1
        if digits == 0 or value == 0 or value >= 0x10FFFF or end - pos >= 10:
            return None, pos
        if 0xD800 <= value <= 0xDFFF:
            return None, pos
        ch = chr(value)
    else:
        while end < n and text[end].isascii() and text[end].isalpha():
            end += 1
        ch = _NAMED_ENTITIES.get(text[pos + 1 : end])
        if ch is None:
            return None, pos
    if end < n and text[end] == ";":
        end += 1
    return ch, end


def _valid_link(url: str) -> str | None:
    url = url.strip()
    if not url:
        return None
    low = url.lower()
    if low.startswith(("http://", "https://", "tg://", "ton://")):
        return url
    if "://" in low or low.startswith(("javascript:", "data:", "mailto:")):
        return None
    # Telegram accepts bare domains like "example.com/x" and prefixes http://
    if re.match(r"^[a-z0-9.-]+\.[a-z]{2,}(?:[/?#:].*)?$", low):
        return "http://" + url
    return None


def parse_html(text: str, *, strict_amp: bool = False) -> tuple[str, list[dict[str, Any]]]:
    """Parse Bot API HTML into (text, entities). Raises ParseError like Telegram.

    With ``strict_amp`` a bare ``&`` that doesn't start an entity is an error (Telegram itself
    keeps it as a literal ``&``; the docs say it must be escaped as ``&amp;``).
    """
    n = len(text)
    out: list[str] = []
    u16 = 0
    stack: list[list[Any]] = []  # [tag, argument, u16_start, byte_pos_of_lt]
    entities: list[dict[str, Any]] = []
    byte_cache: dict[int, int] = {}

    def boff(pos: int) -> int:
        if pos not in byte_cache:
            byte_cache[pos] = len(text[:pos].encode("utf-8", "surrogatepass"))
        return byte_cache[pos]

    i = 0
    while i < n:
        c = text[i]
        if c == "&":
            ch, j = _decode_entity(text, i)
            if ch is not None:
                out.append(ch)
                u16 += _u16(ch)
                i = j
                continue
            if strict_amp:
                raise ParseError(
                    f'Unescaped "&" at byte offset {boff(i)}: use &amp; (emulator strict mode)'
                )
        if c != "<":
            out.append(c)
            u16 += _u16(c)
            i += 1
            continue

        begin = i
        i += 1
        if i >= n or text[i] != "/":
            # ---- start tag
            j = i
            while j < n and not text[j].isspace() and text[j] != ">":
                j += 1
            if j >= n:
                raise ParseError(f"Unclosed start tag at byte offset {boff(begin)}")
            tag = text[i:j].lower()
            if tag not in _ALLOWED_TAGS:
                raise ParseError(f'Unsupported start tag "{tag}" at byte offset {boff(begin)}')
            i = j
            argument: str | None = None
            while text[i] != ">":
                while i < n and text[i].isspace():
                    i += 1
                if i >= n:
                    raise ParseError(f'Unclosed start tag "{tag}" at byte offset {boff(begin)}')
                if text[i] == ">":
                    break
                a0 = i
                while i < n and not text[i].isspace() and text[i] not in "=>/\"'":
                    i += 1
                attr = text[a0:i].lower()
                if not attr:
                    raise ParseError(
                        f'Empty attribute name in the tag "{tag}" at byte offset {boff(begin)}'
                    )
                while i < n and text[i].isspace():
                    i += 1
                if i >= n:
                    raise ParseError(f'Unclosed start tag "{tag}" at byte offset {boff(begin)}')
                if text[i] != "=":
                    if tag == "blockquote" and attr == "expandable":
                        argument = "expandable"
                    continue
                i += 1
                while i < n and text[i].isspace():
                    i += 1
                if i >= n:
                    raise ParseError(f'Unclosed start tag "{tag}" at byte offset {boff(begin)}')
                if text[i] not in "\"'":
                    v0 = i
                    while i < n and text[i].isascii() and (text[i].isalnum() or text[i] in ".-"):
                        i += 1
                    value = text[v0:i].lower()
                    if i >= n:
                        raise ParseError(f"Unclosed start tag at byte offset {boff(begin)}")
                    if not text[i].isspace() and text[i] != ">":
                        raise ParseError(f"Unexpected end of name token at byte offset {boff(i)}")
                else:
                    quote = text[i]
                    i += 1
                    buf: list[str] = []
                    while i < n and text[i] != quote:
                        if text[i] == "&":
                            ch, j = _decode_entity(text, i)
                            if ch is not None:
                                buf.append(ch)
                                i = j
                                continue
                        buf.append(text[i])
                        i += 1
                    if i < n:
                        i += 1
                    value = "".join(buf)
                    if i >= n:
                        raise ParseError(f"Unclosed start tag at byte offset {boff(begin)}")
                if tag == "a" and attr == "href":
                    argument = value
                elif tag == "code" and attr == "class" and value.startswith("language-"):
                    argument = value[len("language-") :]
                elif tag == "span" and attr == "class" and value.startswith("tg-"):
                    argument = value[len("tg-") :]
                elif tag == "tg-emoji" and attr == "emoji-id":
                    argument = value
                elif tag == "pre" and attr == "language":
                    argument = value
            if tag == "span" and argument != "spoiler":
                raise ParseError(
                    f'Tag "span" must have class "tg-spoiler" at byte offset {boff(begin)}'
                )
            stack.append([tag, argument, u16, begin, i + 1])
            i += 1  # skip '>'
            continue

        # ---- end tag
        if not stack:
            raise ParseError(f"Unexpected end tag at byte offset {boff(begin)}")
        j = i + 1
        while j < n and not text[j].isspace() and text[j] != ">":
            j += 1
        end_tag = text[i + 1 : j].lower()
        while j < n and text[j].isspace():
            j += 1
        if j >= n or text[j] != ">":
            raise ParseError(f"Unclosed end tag at byte offset {boff(begin)}")
        tag, argument, start, _, inner_start = stack[-1]
        if end_tag and end_tag != tag:
            raise ParseError(
                f'Unmatched end tag at byte offset {boff(begin)}, expected "</{tag}>", '
                f'found "</{end_tag}>"'
            )
        i = j + 1
        stack.pop()
        length = u16 - start
        if length <= 0:
            continue
        if tag in _SIMPLE_TAGS:
            entities.append({"type": _SIMPLE_TAGS[tag], "offset": start, "length": length})
        elif tag == "tg-emoji":
            if not argument or not argument.isdigit():
                raise ParseError("Invalid custom emoji identifier specified")
            entities.append(
                {
                    "type": "custom_emoji",
                    "offset": start,
                    "length": length,
                    "custom_emoji_id": argument,
                }
            )
        elif tag == "a":
            url = argument if argument is not None else text[inner_start:begin]
            link = _valid_link(url)
            if link is not None:
                entities.append(
                    {"type": "text_link", "offset": start, "length": length, "url": link}
                )
        elif tag == "code":
            ent = {"type": "code", "offset": start, "length": length}
            if argument:
                ent["_language"] = argument
            entities.append(ent)
        elif tag == "pre":
            ent = {"type": "pre", "offset": start, "length": length}
            if (
                entities
                and entities[-1]["type"] == "code"
                and entities[-1]["offset"] == start
                and entities[-1]["length"] == length
            ):
                code = entities.pop()
                if code.get("_language"):
                    ent["language"] = code["_language"]
            elif argument:
                ent["language"] = argument
            entities.append(ent)
        elif tag == "blockquote":
            kind = "expandable_blockquote" if argument == "expandable" else "blockquote"
            entities.append({"type": kind, "offset": start, "length": length})

    if stack:
        raise ParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    for ent in entities:
        ent.pop("_language", None)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


# tdlib treats these as "space" for trimming
_TRIM = " \t\r\n\x0b\x0c\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u3000"


def trim_text(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip leading/trailing whitespace like Telegram, shifting and clipping entities."""
    stripped_left = text.lstrip(_TRIM)
    lead = utf16_len(text[: len(text) - len(stripped_left)])
    new_text = stripped_left.rstrip(_TRIM)
    if not entities:
        return new_text, []
    total = utf16_len(new_text)
    result = []
    for ent in entities:
        start = max(0, ent["offset"] - lead)
        end = min(total, ent["offset"] + ent["length"] - lead)
        if end > start:
            e = dict(ent)
            e["offset"] = start
            e["length"] = end - start
            result.append(e)
    return new_text, result


def clip_entities(text: str, entities: Any) -> list[dict[str, Any]]:
    """Validate explicit ``entities``/``caption_entities``: keep well-formed ones in range."""
    if not isinstance(entities, list):
        raise ParseError("entities must be an array")
    total = utf16_len(text)
    out = []
    for ent in entities:
        if not isinstance(ent, dict) or not isinstance(ent.get("type"), str):
            raise ParseError("can't parse MessageEntity")
        try:
            off = int(ent.get("offset", 0))
            ln = int(ent.get("length", 0))
        except (TypeError, ValueError) as exc:
            raise ParseError("can't parse MessageEntity") from exc
        end = min(total, off + ln)
        off = max(0, off)
        if end > off:
            e = dict(ent)
            e["offset"] = off
            e["length"] = end - off
            out.append(e)
    out.sort(key=lambda e: (e["offset"], -e["length"]))
    return out


# --------------------------------------------------------------------------- auto-detection

_ASCII_W = "A-Za-z0-9_"
_DETECTORS = [
    (
        "bot_command",
        re.compile(
            rf"(?<![{_ASCII_W}/<>\\])/[{_ASCII_W}]{{1,64}}(?:@[{_ASCII_W}]{{3,32}})?(?![{_ASCII_W}/])"
        ),
    ),
    ("mention", re.compile(rf"(?<![{_ASCII_W}@])@[A-Za-z][{_ASCII_W}]{{3,31}}(?![{_ASCII_W}])")),
    ("hashtag", re.compile(r"(?<![\w#])#(?=[\w\u0900-\u097F]*[^\W\d])[\w\u0900-\u097F]{1,256}")),
    ("url", re.compile(r"(?i)\b(?:https?|tg)://[^\s<>\"']+")),
    (
        "email",
        re.compile(
            rf"(?<![{_ASCII_W}.+-])[{_ASCII_W}.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{{2,}}"
        ),
    ),
]
_NO_DETECT_INSIDE = {"code", "pre", "text_link", "url", "text_mention", "custom_emoji"}


def detect_entities(
    text: str, existing: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """Entities Telegram finds by itself: /commands, @mentions, #hashtags, URLs, e-mails.

    Returns ``existing`` plus the detected ones that don't overlap code/pre/links.
    """
    existing = list(existing or [])
    if not any(ch in text for ch in "/@#:"):
        return existing
    blocked = [
        (e["offset"], e["offset"] + e["length"]) for e in existing if e["type"] in _NO_DETECT_INSIDE
    ]
    found: list[tuple[int, int, str, str]] = []  # (start_char, end_char, type, match)
    taken: list[tuple[int, int]] = []
    for kind, rx in _DETECTORS:
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            frag = m.group(0)
            if kind == "url":
                stripped = frag.rstrip(".,;:!?)]}'\"")
                e -= len(frag) - len(stripped)
                frag = stripped
                if len(frag) <= len(frag.split("://", 1)[0]) + 3:
                    continue
            if any(s < te and ts < e for ts, te in taken):
                continue
            taken.append((s, e))
            found.append((s, e, kind, frag))
    if not found:
        return existing
    # char offsets -> utf16 offsets
    found.sort()
    result = existing
    pos_char = 0
    pos_u16 = 0
    for s, e, kind, _frag in found:
        pos_u16 += utf16_len(text[pos_char:s])
        pos_char = s
        start = pos_u16
        length = utf16_len(text[s:e])
        if any(start < be and bs < start + length for bs, be in blocked):
            continue
        result.append({"type": kind, "offset": start, "length": length})
    result.sort(key=lambda ent: (ent["offset"], -ent["length"]))
    return result


# --------------------------------------------------------------------------- rendering

_SAFE_URL = re.compile(r"^(https?|tg)://", re.I)


def _open_tag(ent: dict[str, Any], piece: str) -> tuple[str, str]:
    t = ent.get("type")
    if t == "bold":
        return "<b>", "</b>"
    if t == "italic":
        return "<i>", "</i>"
    if t == "underline":
        return "<u>", "</u>"
    if t == "strikethrough":
        return "<s>", "</s>"
    if t == "spoiler":
        return '<span class="tg-spoiler">', "</span>"
    if t == "code":
        return "<code>", "</code>"
    if t == "pre":
        lang = ent.get("language")
        attr = f' data-language="{html.escape(str(lang), quote=True)}"' if lang else ""
        return f"<pre{attr}>", "</pre>"
    if t in ("blockquote", "expandable_blockquote"):
        cls = ' class="expandable"' if t == "expandable_blockquote" else ""
        return f"<blockquote{cls}>", "</blockquote>"
    if t in ("text_link", "url"):
        url = ent.get("url") if t == "text_link" else piece
        if t == "url" and not _SAFE_URL.match(url or ""):
            url = "http://" + (url or "")
        if url and _SAFE_URL.match(url):
            href = html.escape(url, quote=True)
            return f'<a href="{href}" target="_blank" rel="noopener noreferrer">', "</a>"
        return "<span>", "</span>"
    if t == "email":
        return f'<a href="mailto:{html.escape(piece, quote=True)}">', "</a>"
    if t == "bot_command":
        cmd = html.escape(piece, quote=True)
        return f'<a href="#" class="cmd" data-cmd="{cmd}">', "</a>"
    if t == "mention":
        return '<span class="mention">', "</span>"
    if t == "hashtag":
        return '<span class="hashtag">', "</span>"
    return "<span>", "</span>"


def render_html(text: str | None, entities: list[dict[str, Any]] | None) -> str:
    """Safe HTML for display: every character of ``text`` is escaped, tags come only from
    entities, links only http(s)/tg."""
    if not text:
        return ""
    if not entities:
        return html.escape(text, quote=False)
    # utf16 offset -> char index
    starts_at: dict[int, list[int]] = {}
    ends_at: dict[int, list[int]] = {}
    u16_to_char: dict[int, int] = {}
    u = 0
    for idx, ch in enumerate(text):
        u16_to_char[u] = idx
        u += _u16(ch)
    u16_to_char[u] = len(text)
    total = u
    ents = []
    for ent in entities:
        try:
            s = int(ent["offset"])
            e = s + int(ent["length"])
        except (KeyError, TypeError, ValueError):
            continue
        e = min(e, total)
        if s < 0 or e <= s or s not in u16_to_char or e not in u16_to_char:
            continue
        cs, ce = u16_to_char[s], u16_to_char[e]
        ents.append((cs, ce, ent))
    order = sorted(range(len(ents)), key=lambda k: (ents[k][0], -(ents[k][1] - ents[k][0])))
    for k in order:
        starts_at.setdefault(ents[k][0], []).append(k)
        ends_at.setdefault(ents[k][1], []).append(k)
    tags = {k: _open_tag(ents[k][2], text[ents[k][0] : ents[k][1]]) for k in order}
    out: list[str] = []
    stack: list[int] = []
    for pos in range(len(text) + 1):
        closing = ends_at.get(pos)
        if closing:
            closing_set = set(closing)
            reopen: list[int] = []
            while any(k in closing_set for k in stack):
                k = stack.pop()
                out.append(tags[k][1])
                if k not in closing_set:
                    reopen.append(k)
            for k in reversed(reopen):
                out.append(tags[k][0])
                stack.append(k)
        if pos == len(text):
            break
        for k in starts_at.get(pos, ()):
            if ents[k][1] > pos:
                out.append(tags[k][0])
                stack.append(k)
        out.append(html.escape(text[pos], quote=False))
    while stack:
        out.append(tags[stack.pop()][1])
    return "".join(out)
