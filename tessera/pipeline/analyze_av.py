"""One video or audio file: a single decoding pass feeds every frame-level signal type and the
keyframe collector, then the soundtrack goes to audio signal types and speech recognition.

Each optional stage fails on its own: a missing ``fpcalc`` or a speech engine error becomes a
warning on the file, never the loss of its frame hashes.
"""

from __future__ import annotations

import hashlib
import logging
from typing import BinaryIO

import numpy as np
from PIL import Image

from tessera.analyzers.keyframes import KeyframeCollector, contact_sheet
from tessera.config import Limits, MediaOptions
from tessera.core.errors import MediaError
from tessera.core.types import (
    Derivative,
    Digests,
    FileResult,
    MediaInfo,
    MediaKind,
    Transform,
)
from tessera.media.borders import find_video_bars
from tessera.media.image import thumbnail_jpeg
from tessera.media.video import AUDIO_RATE, Frame, decode, probe_frames
from tessera.signals import VideoPlan, active_types, signal_warnings

log = logging.getLogger(__name__)


def _rewind(source: str | BinaryIO) -> str | BinaryIO:
    if not isinstance(source, str):
        source.seek(0)
    return source


def analyze_av(source: str | BinaryIO, kind: MediaKind, mime: str, digests: Digests,
               limits: Limits, media: MediaOptions, result: FileResult, *,
               derivatives: bool = False, transcribe: bool = False,
               query_variants: bool = False) -> MediaInfo:
    """Signals, transcript (``transcribe`` and ``media.speech``), a contact-sheet thumbnail
    and, with ``derivatives``, full-size keyframes and sheet for the coordinator to store.
    With ``query_variants`` the result's query signals also hold mirrored frame hashes."""
    box = find_video_bars(probe_frames(_rewind(source), limits)) \
        if kind is MediaKind.VIDEO else None
    plan = VideoPlan(content_box=box, sample_fps=media.video_sample_fps,
                     mirrored_queries=query_variants)
    frame_types = active_types(MediaKind.VIDEO, media)
    sinks = [s for s in (t.frame_sink(plan) for t in frame_types) if s is not None]
    keyframes = KeyframeCollector()

    def on_frame(frame: Frame) -> None:
        for sink in sinks:
            sink.add(frame)
        keyframes.add(frame)

    decoded = decode(_rewind(source), limits, sample_fps=plan.sample_fps, on_frame=on_frame)
    facts = decoded.facts
    actual = MediaKind.VIDEO if facts.decoded_frames else MediaKind.AUDIO
    if actual is not kind:
        mime = "audio/mp4" if mime == "video/mp4" else mime
    info = MediaInfo(digests.sha256, digests.md5, digests.sha1, digests.size, mime, actual,
                     facts.width if actual is MediaKind.VIDEO else None,
                     facts.height if actual is MediaKind.VIDEO else None, facts.metadata())
    if box is not None:
        info.metadata["bars"] = [round(x, 4) for x in box]
    result.warnings.extend(facts.warnings)
    variants = [x for sink in sinks for x in sink.finish(facts.analysed_until)]
    info.signals.extend(x for x in variants if x.transform is Transform.ORIGINAL)
    frame_count = len(info.signals)
    if decoded.audio is not None:
        _audio(decoded.audio, actual, media, info, result, transcribe=transcribe)
    if actual is MediaKind.VIDEO:
        _stills(frame_types, keyframes, (facts.width or 0, facts.height or 0), info, result)
        _pictures(keyframes, result, keep=derivatives)
    if query_variants:
        result.query_signals = variants + info.signals[frame_count:]  # + sound
    return info


def _audio(pcm: np.ndarray, kind: MediaKind, media: MediaOptions, info: MediaInfo,
           result: FileResult, *, transcribe: bool) -> None:
    """Audio signals always (they match); speech when the task asks for it and the settings
    allow it (TESSERA_SPEECH). The pipelines ask for what they keep: transcripts serve later
    text searches, and recognition runs at about real time."""
    for signal_type in active_types(kind, media):
        try:
            info.signals.extend(signal_type.extract_audio(pcm, AUDIO_RATE))
        except MediaError as exc:
            result.warnings.append(f"{signal_type.name}: {exc.message}")
        except Exception as exc:  # an engine failure costs the file this signal only
            log.exception("%s failed on the soundtrack", signal_type.name)
            result.warnings.append(f"{signal_type.name} failed: {type(exc).__name__}: {exc}")
    if not (transcribe and media.speech):
        return
    from tessera.analyzers.speech import transcribe as recognise  # heavy: only where it runs

    try:
        utterances, warnings = recognise(pcm, AUDIO_RATE, media.speech_engine,
                                          media.max_speech_seconds, media.languages)
    except Exception as exc:  # an engine failure must not cost the file its hashes
        log.exception("speech recognition failed")
        result.warnings.append(f"speech recognition failed: {type(exc).__name__}: {exc}")
        return
    result.transcript = utterances
    result.warnings.extend(warnings)
    languages = sorted({u.language for u in utterances if u.language})
    if languages:
        info.metadata["speech_languages"] = languages


def _stills(types: list, keyframes: KeyframeCollector, size: tuple[int, int],
            info: MediaInfo, result: FileResult) -> None:
    """Signals of the keyframes (faces): a failure costs the file its faces, not its hashes."""
    stills = [(k.time, k.image) for k in keyframes.keyframes]
    for signal_type in types:
        try:
            found = signal_type.extract_stills(stills, size)
        except Exception as exc:
            log.exception("%s failed on keyframes", signal_type.name)
            result.warnings.append(f"{signal_type.name} failed on keyframes: "
                                   f"{type(exc).__name__}: {exc}")
            continue
        info.signals.extend(found)
        result.warnings.extend(signal_warnings(found))


def _pictures(keyframes: KeyframeCollector, result: FileResult, *, keep: bool) -> None:
    """Keyframes and the contact sheet; with ``keep``, as derivatives (JPEG payloads) that
    the coordinator stores encrypted beside the original."""
    sheet = contact_sheet(keyframes.sheet_stills())
    if sheet is None:
        return
    result.thumbnail = thumbnail_jpeg(sheet, 320, 75)
    if not keep:
        return
    result.derivatives.append(_derivative("contact_sheet", sheet, None))
    for still in keyframes.keyframes:
        result.derivatives.append(_derivative("keyframe", still.image, round(still.time, 3)))


def _derivative(kind: str, picture: Image.Image, start: float | None) -> Derivative:
    data = thumbnail_jpeg(picture, max(picture.size), 85)
    return Derivative(kind, hashlib.sha256(data).hexdigest(), start, picture.width,
                      picture.height, data)
