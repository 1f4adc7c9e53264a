"""A corpus of hostile and odd input, sent at every prompt of every conversation."""

from __future__ import annotations

import base64
from typing import Any

PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"0" * 64).decode()

CORPUS: list[dict[str, Any]] = [
    {"text": "\u3164 \u200b"},  # looks empty (what phones send for an "empty" message)
    {"text": "क" * 5000},
    {"text": "a\u200d\u200c\u200b\u2060b"},  # zero-width joiners
    {"text": "😀🙏🏽👩‍👩‍👧‍👦"},
    {"text": "\u202eمرحبا بالعالم\u202c"},  # right-to-left
    {"text": "<b>bold</b> <script>alert(1)</script> &amp; <a href='x'>x</a>"},
    {"text": "*bold* _it_ [link](http://x) `code`"},
    {"text": "'; DROP TABLE users; --"},
    {"text": "\x00\x01\x07 control"},
    {"text": "-5"},
    {"text": "99999999999999999999999"},
    {"text": "NaN"},
    {"text": "/" + "x" * 300},
    {"sticker": True},
    {"voice": True},
    {"location": {"latitude": 26.85, "longitude": 80.95}},
    {"video_note": True},
    {"poll": True},
    {"photo": PNG},
]
