"""Everything done to one file, in a worker process: read, hash, decode, extract signals.

Pure: a worker writes nothing. What is to be kept (the original, keyframes, a contact sheet)
comes back in the result, and the coordinator (``pipeline.evidence``) stores it, so analysis
can run in any process or on another machine."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import BinaryIO

from tessera.config import Limits, MediaOptions
from tessera.core.errors import MediaError, TesseraError
from tessera.core.types import FileResult, MediaInfo, MediaKind, Transform
from tessera.media.image import decode_image, thumbnail_jpeg
from tessera.media.sniff import HEADER_BYTES, Sniffed, sniff
from tessera.media.sources import Item, open_item
from tessera.pipeline.analyze_av import analyze_av
from tessera.signals import active_types, signal_warnings
from tessera.signals.cryptographic import MultiHasher, digest_bytes

CHUNK = 1024 * 1024

_EXTENSIONS = {
    "image/jpeg": {".jpg", ".jpeg", ".jpe", ".jfif"}, "image/png": {".png"}, "image/gif": {".gif"},
    "image/bmp": {".bmp", ".dib"}, "image/tiff": {".tif", ".tiff"}, "image/webp": {".webp"},
    "image/heic": {".heic", ".heif", ".hif"}, "image/avif": {".avif"},
    "video/mp4": {".mp4", ".m4v", ".mov", ".3gp", ".3g2", ".f4v"},
    "video/quicktime": {".mov", ".qt", ".mp4"}, "video/webm": {".webm", ".mkv"},
    "video/x-matroska": {".mkv", ".mka", ".webm"}, "video/x-msvideo": {".avi"},
    "video/x-ms-wmv": {".wmv", ".wma", ".asf"}, "audio/ogg": {".ogg", ".oga", ".opus", ".ogv"},
    "audio/flac": {".flac"}, "audio/mpeg": {".mp3"}, "audio/wav": {".wav"},
    "audio/mp4": {".m4a", ".m4b", ".mp4"},
}


@dataclass(frozen=True, slots=True)
class AnalyzeOptions:
    """What one task asks of a worker; travels with each task (workers hold no options)."""

    limits: Limits
    store_blobs: bool = False  # the caller keeps evidence: return derivatives to store
    transcribe: bool = False  # the speech stage (and ``media.speech``): for what is kept
    key_path: str | None = None  # where a worker reads the key of items staged sealed
    query_variants: bool = False  # the values to search with; alone (no store_blobs) a file's
    # own values are those a search computes, which may skip the costlier stored form
    thumbnails: bool = False
    media: MediaOptions = field(default_factory=MediaOptions)


def _mislabel_warning(path: str, mime: str) -> list[str]:
    suffix = PurePosixPath(path.replace("\\", "/")).suffix.lower()
    known = _EXTENSIONS.get(mime)
    if suffix and known is not None and suffix not in known:
        return [f"mislabelled: named {suffix} but the content is {mime}"]
    return []


def _chunks(head: bytes, fh: BinaryIO, cap: int) -> Iterator[bytes]:
    yield head
    total = len(head)
    while chunk := fh.read(CHUNK):
        total += len(chunk)
        if total > cap:
            raise MediaError("too_large", f"file exceeds the limit of {cap} bytes")
        yield chunk


def _tapped(chunks: Iterator[bytes], hasher: MultiHasher) -> Iterator[bytes]:
    for chunk in chunks:
        hasher.update(chunk)
        yield chunk


def analyze_item(item: Item, options: AnalyzeOptions, secret: bytes | None = None) -> FileResult:
    """Never raises for bad input: every problem comes back as the result's error.
    ``secret`` reads a sealed item (an upload staged encrypted)."""
    result = FileResult(item.path, warnings=list(item.warnings))
    try:
        _analyze(item, options, result, secret)
    except MediaError as exc:
        result.error_code, result.error = exc.code, exc.message
    except TesseraError as exc:
        result.error_code, result.error = "failed", str(exc)
    except MemoryError:
        result.error_code, result.error = "out_of_memory", "file needs more memory than allowed"
    except Exception as exc:  # a decoder bug must not take the batch down
        result.error_code, result.error = "internal", f"{type(exc).__name__}: {exc}"
    return result


def _analyze(item: Item, options: AnalyzeOptions, result: FileResult,
             secret: bytes | None) -> None:
    limits = options.limits
    if item.size > limits.max_file_bytes:
        raise MediaError("too_large", f"file of {item.size} bytes exceeds the limit of "
                                      f"{limits.max_file_bytes}")
    with open_item(item, limits, secret) as fh:
        head = fh.read(HEADER_BYTES)
        if not head:
            raise MediaError("empty", "file is empty (0 bytes)")
        found = sniff(head)
        if found is not None and found.kind is MediaKind.IMAGE:
            data = b"".join(_chunks(head, fh, limits.max_image_bytes))
            result.digests = digest_bytes(data)
            _analyze_image(data, found.mime, options, result)
            return
        hasher = MultiHasher()
        stream = _tapped(_chunks(head, fh, limits.max_file_bytes), hasher)
        if found is None:
            for _ in stream:
                pass
            result.digests = hasher.digests()
            raise MediaError("not_media", f"not a recognised image, video or audio file "
                                          f"(starts with {head[:8].hex()})")
        for _ in stream:
            pass
    result.digests = hasher.digests()
    result.keep_original = True  # evidence even if FFmpeg cannot read it
    _analyze_av(item, found, options, result, secret)


def _analyze_av(item: Item, found: Sniffed, options: AnalyzeOptions, result: FileResult,
                secret: bytes | None) -> None:
    """Video and audio are decoded from the file itself (seekable), after it was hashed: a
    file FFmpeg cannot read is still kept as evidence, with its error."""
    d = result.digests
    assert d is not None and found.kind is not None
    with open_item(item, options.limits, secret) as fh:
        source = item.disk_path if not item.members and not item.sealed else fh
        info = analyze_av(source, found.kind, found.mime, d, options.limits, options.media,
                          result, derivatives=options.store_blobs,
                          transcribe=options.transcribe,
                          query_variants=options.query_variants)
    result.warnings.extend(_mislabel_warning(result.path, info.mime))
    if not options.thumbnails:
        result.thumbnail = None
    result.info = info


def _analyze_image(data: bytes, mime: str, options: AnalyzeOptions,
                   result: FileResult) -> None:
    d = result.digests
    assert d is not None
    result.warnings.extend(_mislabel_warning(result.path, mime))
    decoded = decode_image(data, options.limits)
    info = MediaInfo(d.sha256, d.md5, d.sha1, d.size, mime, MediaKind.IMAGE,
                     decoded.width, decoded.height, decoded.metadata)
    for signal_type in active_types(MediaKind.IMAGE, options.media):
        try:  # one failing type is a warning on the file; the others' signals are kept
            if options.query_variants and not options.store_blobs:  # a search keeps nothing
                variants = signal_type.query_variants(decoded)
                stored = [v for v in variants if v.transform is Transform.ORIGINAL]
            elif options.query_variants:
                stored, variants = signal_type.extract_with_variants(decoded)
            else:
                stored, variants = signal_type.extract(decoded), []
        except Exception as exc:
            result.warnings.append(f"{signal_type.name} failed: {type(exc).__name__}: {exc}")
            continue
        info.signals.extend(stored)
        result.query_signals.extend(variants)
    result.warnings.extend(signal_warnings(info.signals))
    if options.thumbnails:
        try:
            result.thumbnail = thumbnail_jpeg(decoded.rgb)
        except Exception as exc:
            result.warnings.append(f"no preview: {type(exc).__name__}: {exc}")
    result.keep_original = True
    result.info = info
