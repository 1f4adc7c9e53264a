"""In-memory file storage for the emulator: file_id / file_unique_id / file_path, photo sizes."""

from __future__ import annotations

import base64
import hashlib
import io
import mimetypes
import struct
from dataclasses import dataclass, field
from typing import Any

try:  # Pillow is optional: real downscaled photo sizes when present
    from PIL import Image  # type: ignore[import-not-found]
except Exception:  # pragma: no cover - depends on the environment
    Image = None

__all__ = ["FileStore", "StoredFile", "image_info"]

# Telegram-looking prefixes for file ids of each kind
_PREFIX = {
    "photo": "AgACAgUAAxkBAAI",
    "document": "BQACAgUAAxkBAAI",
    "sticker": "CAACAgUAAxkBAAI",
    "voice": "AwACAgUAAxkBAAI",
    "video_note": "DQACAgUAAxkBAAI",
    "video": "BAACAgUAAxkBAAI",
    "audio": "CQACAgUAAxkBAAI",
    "animation": "CgACAgUAAxkBAAI",
}
_FOLDER = {
    "photo": "photos",
    "document": "documents",
    "sticker": "stickers",
    "voice": "voice",
    "video_note": "video_notes",
    "video": "videos",
    "audio": "music",
    "animation": "animations",
}
_TYPE_NAME = {
    "photo": "Photo",
    "document": "Document",
    "sticker": "Sticker",
    "voice": "Voice",
    "video_note": "VideoNote",
    "video": "Video",
    "audio": "Audio",
    "animation": "Animation",
}


def type_name(kind: str) -> str:
    return _TYPE_NAME.get(kind, kind.title())


def image_info(data: bytes) -> tuple[str, int, int] | None:
    """(mime, width, height) of a PNG/JPEG/GIF/WebP/BMP by its header, or None."""
    try:
        if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
            w, h = struct.unpack(">II", data[16:24])
            return "image/png", w, h
        if data[:6] in (b"GIF87a", b"GIF89a"):
            w, h = struct.unpack("<HH", data[6:10])
            return "image/gif", w, h
        if data[:2] == b"BM" and len(data) >= 26:
            w, h = struct.unpack("<ii", data[18:26])
            return "image/bmp", abs(w), abs(h)
        if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
            chunk = data[12:16]
            if chunk == b"VP8 ":
                w, h = struct.unpack("<HH", data[26:30])
                return "image/webp", w & 0x3FFF, h & 0x3FFF
            if chunk == b"VP8L":
                b = data[21:25]
                w = 1 + (((b[1] & 0x3F) << 8) | b[0])
                h = 1 + (((b[3] & 0xF) << 10) | (b[2] << 2) | ((b[1] & 0xC0) >> 6))
                return "image/webp", w, h
            if chunk == b"VP8X":
                w = 1 + int.from_bytes(data[24:27], "little")
                h = 1 + int.from_bytes(data[27:30], "little")
                return "image/webp", w, h
            return None
        if data[:2] == b"\xff\xd8":
            i = 2
            n = len(data)
            while i + 9 < n:
                if data[i] != 0xFF:
                    i += 1
                    continue
                marker = data[i + 1]
                if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
                    i += 2
                    continue
                seg_len = struct.unpack(">H", data[i + 2 : i + 4])[0]
                if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD):
                    h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                    return "image/jpeg", w, h
                i += 2 + seg_len
            return "image/jpeg", 0, 0
    except (struct.error, IndexError):
        return None
    return None


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    mime_type: str
    file_name: str | None
    file_path: str
    width: int = 0
    height: int = 0
    group: list[str] = field(default_factory=list)  # photo: file_ids of all sizes
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.data)

    def photo_size(self) -> dict[str, Any]:
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.size,
            "width": self.width,
            "height": self.height,
        }


def _b64(data: bytes, n: int) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")[:n]


def _scaled(data: bytes, limit: int) -> tuple[bytes, int, int] | None:
    """JPEG copy with the long side <= limit (Pillow only)."""
    if Image is None:
        return None
    try:
        with Image.open(io.BytesIO(data)) as im:
            im.load()
            w, h = im.size
            scale = min(1.0, limit / max(w, h))
            if scale < 1.0:
                im = im.resize((max(1, round(w * scale)), max(1, round(h * scale))))
            if im.mode not in ("RGB", "L"):
                im = im.convert("RGB")
            buf = io.BytesIO()
            im.save(buf, "JPEG", quality=87)
            return buf.getvalue(), im.size[0], im.size[1]
    except Exception:
        return None


class FileStore:
    """All files known to the emulator, by file_id and by file_path."""

    def __init__(self) -> None:
        self.by_id: dict[str, StoredFile] = {}
        self.by_path: dict[str, StoredFile] = {}
        self._counter = 0

    def clear(self) -> None:
        self.by_id.clear()
        self.by_path.clear()

    def get(self, file_id: str) -> StoredFile | None:
        return self.by_id.get(file_id)

    def _store(
        self,
        kind: str,
        data: bytes,
        mime: str,
        file_name: str | None,
        *,
        variant: str = "",
        width: int = 0,
        height: int = 0,
    ) -> StoredFile:
        digest = hashlib.sha256(data).digest()
        unique = "AQAD" + _b64(hashlib.sha256(digest + variant.encode()).digest(), 12)
        fid_hash = hashlib.sha256(kind.encode() + b"|" + variant.encode() + b"|" + digest)
        if file_name:
            fid_hash.update(b"|" + file_name.encode("utf-8", "replace"))
        file_id = _PREFIX.get(kind, "BQACAgUAAxkBAAI") + _b64(fid_hash.digest(), 40)
        existing = self.by_id.get(file_id)
        if existing is not None:
            return existing
        ext = mimetypes.guess_extension(mime or "") or ""
        if file_name and "." in file_name:
            ext = "." + file_name.rsplit(".", 1)[1][:8]
        if kind == "photo":
            ext = ".jpg" if mime == "image/jpeg" else ext or ".jpg"
        if ext == ".jpe":
            ext = ".jpg"
        path = f"{_FOLDER.get(kind, 'documents')}/file_{self._counter}{ext}"
        self._counter += 1
        sf = StoredFile(
            file_id=file_id,
            file_unique_id=unique,
            kind=kind,
            data=data,
            mime_type=mime or "application/octet-stream",
            file_name=file_name,
            file_path=path,
            width=width,
            height=height,
        )
        self.by_id[file_id] = sf
        self.by_path[path] = sf
        return sf

    def add_photo(self, data: bytes) -> list[dict[str, Any]] | None:
        """Store a photo; returns its PhotoSize list (smallest first) or None if not an image."""
        info = image_info(data)
        if info is None:
            return None
        mime, w, h = info
        variants: list[tuple[bytes, str, int, int]] = []
        if Image is not None:
            big = _scaled(data, 1280)
            if big is not None:
                if max(w, h) > 320:
                    small = _scaled(data, 320)
                    if small is not None:
                        variants.append((small[0], "m", small[1], small[2]))
                variants.append((big[0], "y", big[1], big[2]))
        if not variants:
            variants.append((data, "y", w, h))
            mime_out = mime
        else:
            mime_out = "image/jpeg"
        files = [
            self._store("photo", d, mime_out, None, variant=v, width=vw, height=vh)
            for d, v, vw, vh in variants
        ]
        group = [f.file_id for f in files]
        for f in files:
            f.group = group
        return [f.photo_size() for f in files]

    def add(
        self, kind: str, data: bytes, file_name: str | None = None, mime: str | None = None
    ) -> StoredFile:
        if not mime:
            guessed = mimetypes.guess_type(file_name or "")[0]
            mime = guessed or {
                "voice": "audio/ogg",
                "sticker": "image/webp",
                "video_note": "video/mp4",
                "video": "video/mp4",
                "audio": "audio/mpeg",
                "animation": "video/mp4",
            }.get(kind, "application/octet-stream")
        return self._store(kind, data, mime, file_name)

    def photo_sizes(self, file_id: str) -> list[dict[str, Any]]:
        sf = self.by_id[file_id]
        ids = sf.group or [file_id]
        return [self.by_id[i].photo_size() for i in ids if i in self.by_id]

    def describe(self, sf: StoredFile) -> dict[str, Any]:
        """The Bot API object (Document, Voice, ...) for a stored non-photo file."""
        obj: dict[str, Any] = {
            "file_id": sf.file_id,
            "file_unique_id": sf.file_unique_id,
            "file_size": sf.size,
        }
        if sf.kind in ("document", "audio", "video", "animation") and sf.file_name:
            obj["file_name"] = sf.file_name
        if sf.kind in ("document", "audio", "video", "animation", "voice"):
            obj["mime_type"] = sf.mime_type
        obj.update(sf.extra)
        return obj
