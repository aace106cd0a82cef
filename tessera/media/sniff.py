"""File type from content, never from the extension: seized files are often misnamed on purpose.

Containers (archives) are recognised by the source that opens them (``media.sources``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tessera.core.types import MediaKind

HEADER_BYTES = 512  # enough for every media magic and every source's (tar's sits at 257)

_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif"}
_VIDEO_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ",
                 b"qt  ", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"dash", b"f4v ", b"mmp4", b"MSNV"}
_AUDIO_BRANDS = {b"M4A ", b"M4B "}


@dataclass(frozen=True, slots=True)
class Sniffed:
    mime: str
    kind: MediaKind


def sniff(head: bytes) -> Sniffed | None:
    """Identify ``head`` (the first bytes of a file); ``None`` when it is not media we know."""
    image, video, audio = MediaKind.IMAGE, MediaKind.VIDEO, MediaKind.AUDIO
    if head.startswith(b"\xff\xd8\xff"):
        return Sniffed("image/jpeg", image)
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Sniffed("image/png", image)
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return Sniffed("image/gif", image)
    if head.startswith(b"BM") and len(head) >= 18:
        return Sniffed("image/bmp", image)
    if head[:4] in (b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+"):
        return Sniffed("image/tiff", image)
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Sniffed("image/webp", image)
    if head[:4] == b"RIFF" and head[8:12] == b"AVI ":
        return Sniffed("video/x-msvideo", video)
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return Sniffed("audio/wav", audio)
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return Sniffed("image/avif" if brand == b"avif" else "image/heic", image)
        if brand in _AUDIO_BRANDS:
            return Sniffed("audio/mp4", audio)
        if brand in _VIDEO_BRANDS or brand.startswith(b"3g"):
            return Sniffed("video/quicktime" if brand == b"qt  " else "video/mp4", video)
        return Sniffed("video/mp4", video)
    if head[4:8] in (b"moov", b"mdat", b"wide", b"free"):
        return Sniffed("video/quicktime", video)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return Sniffed("video/webm" if b"webm" in head else "video/x-matroska", video)
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return Sniffed("video/x-ms-wmv", video)
    if head.startswith(b"\x00\x00\x01\xba") or head.startswith(b"\x00\x00\x01\xb3"):
        return Sniffed("video/mpeg", video)
    if head.startswith(b"FLV"):
        return Sniffed("video/x-flv", video)
    if head.startswith(b"OggS"):
        return Sniffed("audio/ogg", audio)
    if head.startswith(b"fLaC"):
        return Sniffed("audio/flac", audio)
    if head.startswith(b"ID3") or head[:2] in (b"\xff\xfb", b"\xff\xf3", b"\xff\xf2"):
        return Sniffed("audio/mpeg", audio)
    return None
