"""Reading video and audio with PyAV (FFmpeg), within limits, in one pass over the file.

Seized video is often damaged: a truncated download, a carved fragment, a mislabelled stream.
FFmpeg decodes what it can; we keep every frame it gave us and say where decoding stopped,
rather than rejecting the file. Hard caps (pixels per frame, seconds of media, wall-clock time)
keep one hostile file from holding a worker forever.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import av
import numpy as np

from tessera.config import Limits
from tessera.core.errors import MediaError

AUDIO_RATE = 16_000  # mono s16: enough for speech recognition and Chromaprint alike
WORKING_SIZE = 1280  # longer side: PDQ at native HD resolution stays within ~2 bits of Meta
INTERP = "AREA"  # swscale filter for frames larger than WORKING_SIZE


@dataclass(slots=True)
class Frame:
    """One sampled video frame at working size (RGB, upright)."""

    index: int  # position among decoded frames, from 0
    time: float  # seconds from the start of the stream
    rgb: np.ndarray


@dataclass(slots=True)
class VideoFacts:
    """What the container says, plus what decoding found."""

    duration: float | None = None
    width: int | None = None
    height: int | None = None
    frame_rate: float | None = None
    video_codec: str | None = None
    audio_codec: str | None = None
    container: str | None = None
    rotation: int = 0
    has_video: bool = False
    has_audio: bool = False
    tags: dict[str, str] = field(default_factory=dict)
    decoded_frames: int = 0
    decoded_seconds: float = 0.0
    cut_at: float | None = None  # analysis stopped here (a limit), though the media goes on
    warnings: list[str] = field(default_factory=list)

    @property
    def analysed_until(self) -> float:
        """Where the last kept frame's time ends: where decoding ended, not where the
        container says the media would (a truncated file must not claim coverage)."""
        if self.cut_at is not None:
            return self.cut_at
        if self.has_video and self.decoded_frames:
            end = self.decoded_seconds + (1 / self.frame_rate if self.frame_rate else 0.0)
            return min(end, self.duration) if self.duration else end
        return max(self.decoded_seconds, self.duration or 0.0)

    def note_truncation(self) -> None:
        """Warn when the pictures end well before the duration the container declares."""
        if not (self.has_video and self.decoded_frames and self.duration) \
                or self.cut_at is not None:
            return
        slack = max(0.5, 2 / self.frame_rate if self.frame_rate else 0.5)
        if self.analysed_until + slack < self.duration and not any(
                w.startswith("damaged stream") for w in self.warnings):
            self.warnings.append(
                f"truncated: pictures decode only to {self.analysed_until:.1f} s of the "
                f"{self.duration:.1f} s the container declares; the rest is not covered")

    def metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: v for k, v in (
            ("duration", round(self.duration, 3) if self.duration else None),
            ("frame_rate", round(self.frame_rate, 3) if self.frame_rate else None),
            ("video_codec", self.video_codec), ("audio_codec", self.audio_codec),
            ("container", self.container), ("rotation", self.rotation or None),
            ("decoded_frames", self.decoded_frames or None),
        ) if v is not None}
        out.update(_interesting_tags(self.tags))
        return out


_TAG_NAMES = {
    "creation_time": "created", "encoder": "encoder", "com.apple.quicktime.make": "device_make",
    "com.apple.quicktime.model": "device_model", "make": "device_make", "model": "device_model",
    "com.android.manufacturer": "device_make", "com.android.model": "device_model",
    "com.apple.quicktime.software": "software", "com.apple.quicktime.creationdate": "created",
    "location": "gps", "com.apple.quicktime.location.ISO6709": "gps",
    "com.android.capture.fps": "capture_fps", "title": "title", "comment": "comment",
    "artist": "artist", "handler_name": None,
}


def _interesting_tags(tags: dict[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in tags.items():
        name = _TAG_NAMES.get(key, _TAG_NAMES.get(key.lower(), ""))
        if name and value and name not in out:
            out[name] = str(value)[:300]
    gps = parse_iso6709(out.get("gps", ""))
    if gps:
        out["gps"] = {"lat": gps[0], "lon": gps[1]}
    else:
        out.pop("gps", None)
    return out


def parse_iso6709(text: str) -> tuple[float, float] | None:
    """'+52.3702+004.8952/' (QuickTime/Android location) → (lat, lon)."""
    m = re.match(r"^([+-]\d+(?:\.\d+)?)([+-]\d+(?:\.\d+)?)", text.strip())
    if not m:
        return None
    lat, lon = float(m.group(1)), float(m.group(2))
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


@dataclass(slots=True)
class Decoded:
    facts: VideoFacts
    audio: np.ndarray | None  # int16 mono at AUDIO_RATE, None when the file has no sound


def _open(source: str | BinaryIO) -> av.container.InputContainer:
    try:
        return av.open(source, mode="r", metadata_errors="ignore")
    except (av.FFmpegError, ValueError, OSError) as exc:
        raise MediaError("corrupt", f"not a readable video or audio file: {exc}") from None


def _video_stream(container: av.container.InputContainer) -> av.VideoStream | None:
    """The first real video stream: cover art in a music file is a one-picture "video"."""
    for stream in container.streams.video:
        if av.stream.Disposition.attached_pic not in stream.disposition:
            return stream
    return None


def _facts(container: av.container.InputContainer) -> VideoFacts:
    facts = VideoFacts(container=container.format.name)
    facts.tags = {str(k): str(v) for k, v in (container.metadata or {}).items()}
    if container.duration:
        facts.duration = container.duration / av.time_base
    vs = _video_stream(container)
    if vs is not None:
        facts.has_video = True
        facts.video_codec = vs.codec_context.name
        facts.width, facts.height = vs.codec_context.width or None, vs.codec_context.height or None
        rate = vs.average_rate or vs.guessed_rate
        facts.frame_rate = float(rate) if rate else None
        for k, v in (vs.metadata or {}).items():
            facts.tags.setdefault(str(k), str(v))
    if container.streams.audio:
        facts.has_audio = True
        facts.audio_codec = container.streams.audio[0].codec_context.name
    return facts


def _scaled_size(width: int, height: int, working: int) -> tuple[int, int]:
    scale = min(1.0, working / max(width, height))
    return max(2, round(width * scale)), max(2, round(height * scale))


def _upright(rgb: np.ndarray, rotation: int) -> np.ndarray:
    """Apply the display matrix phones write instead of rotating pixels."""
    turns = (-round(rotation / 90)) % 4
    return np.ascontiguousarray(np.rot90(rgb, turns)) if turns else rgb


class _Budget:
    """Wall-clock and media-time caps, checked between frames."""

    def __init__(self, limits: Limits) -> None:
        self.deadline = time.monotonic() + limits.max_video_decode_seconds
        self.max_media = limits.max_video_seconds

    def over(self, facts: VideoFacts, media_time: float) -> bool:
        if media_time > self.max_media:
            facts.warnings.append(f"video longer than {self.max_media:g} s: only the first "
                                  f"{self.max_media:g} s were analysed")
            return True
        if time.monotonic() > self.deadline:
            facts.warnings.append(f"decoding stopped at {media_time:.1f} s: the time limit per "
                                  f"file was reached")
            return True
        return False


def decode(source: str | BinaryIO, limits: Limits, *, sample_fps: float | None = 1.0,
           on_frame: Callable[[Frame], None] | None = None, want_audio: bool = True,
           working_size: int = WORKING_SIZE) -> Decoded:
    """Decode once: call ``on_frame`` for sampled frames (every frame when ``sample_fps`` is
    None), collect the first audio track as mono PCM. Damaged files give what could be read."""
    container = _open(source)
    try:
        facts = _facts(container)
        if not facts.has_video and not facts.has_audio:
            raise MediaError("corrupt", "the file holds no video or audio stream")
        if facts.width and facts.height and facts.width * facts.height > \
                limits.max_video_pixels:
            raise MediaError("too_large", f"video frames of {facts.width}x{facts.height} exceed "
                                          f"the limit of {limits.max_video_pixels} pixels")
        audio = _run(container, facts, limits, sample_fps, on_frame if facts.has_video else None,
                     want_audio and facts.has_audio, working_size)
    finally:
        container.close()
    if facts.has_video and facts.decoded_frames == 0 and audio is None:
        raise MediaError("corrupt", "no frame could be decoded: "
                                    + ("; ".join(facts.warnings) or "empty stream"))
    facts.note_truncation()
    return Decoded(facts, audio)


def _run(container: av.container.InputContainer, facts: VideoFacts, limits: Limits,
         sample_fps: float | None, on_frame: Callable[[Frame], None] | None, want_audio: bool,
         working_size: int) -> np.ndarray | None:
    streams: list[av.stream.Stream] = []
    vs = _video_stream(container) if on_frame is not None else None
    if vs is not None:
        vs.thread_type = "AUTO"
        streams.append(vs)
    aus = container.streams.audio[0] if want_audio else None
    if aus is not None:
        streams.append(aus)
    if not streams:
        return None
    resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE) if aus else None
    pcm: list[np.ndarray] = []
    pcm_samples, max_samples = 0, int(limits.max_video_seconds * AUDIO_RATE)
    budget = _Budget(limits)
    step = None if sample_fps is None else 1.0 / sample_fps
    next_time = 0.0
    index = -1
    last_time = 0.0
    size: tuple[int, int] | None = None
    try:
        for packet in container.demux(streams):
            for frame in packet.decode():
                if isinstance(frame, av.VideoFrame):
                    index += 1
                    t = _frame_time(frame, index, facts)
                    last_time = max(last_time, t)
                    if budget.over(facts, t):
                        facts.cut_at = t
                        return _pcm(pcm)
                    if step is not None and t + 1e-6 < next_time:
                        continue
                    if step is not None:
                        next_time = (math.floor(t / step + 1e-6) + 1) * step
                    if size is None:
                        size = _scaled_size(frame.width, frame.height, working_size)
                        facts.rotation = int(getattr(frame, "rotation", 0) or 0)
                    rgb = frame.to_ndarray(format="rgb24", width=size[0], height=size[1],
                                           interpolation=INTERP)
                    on_frame(Frame(index, t, _upright(rgb, facts.rotation)))  # type: ignore[misc]
                    facts.decoded_frames = index + 1
                elif resampler is not None and isinstance(frame, av.AudioFrame):
                    if vs is None:  # sound only: the sound's time is what the limits bound
                        t = float(frame.time or 0.0)
                        last_time = max(last_time, t)
                        if budget.over(facts, t):
                            facts.cut_at = t
                            return _pcm(pcm)
                    if pcm_samples >= max_samples:
                        continue
                    for out in resampler.resample(frame):
                        chunk = out.to_ndarray().reshape(-1)
                        pcm.append(chunk)
                        pcm_samples += chunk.size
    except av.FFmpegError as exc:
        where = f"{last_time:.1f} s" if index >= 0 else "the start"
        facts.warnings.append(f"damaged stream: decoding stopped at {where} ({exc})")
    except MemoryError:
        raise MediaError("out_of_memory", "video needs more memory than allowed") from None
    if vs is not None:
        facts.decoded_frames = index + 1
        facts.decoded_seconds = last_time
    if resampler is not None:
        try:
            for out in resampler.resample(None):
                pcm.append(out.to_ndarray().reshape(-1))
        except av.FFmpegError:
            pass
    return _pcm(pcm)


def _pcm(chunks: list[np.ndarray]) -> np.ndarray | None:
    if not chunks:
        return None
    return np.concatenate(chunks).astype(np.int16, copy=False)


def _frame_time(frame: av.VideoFrame, index: int, facts: VideoFacts) -> float:
    if frame.time is not None and frame.time >= 0:
        return float(frame.time)
    rate = facts.frame_rate or 30.0
    return index / rate


def probe_frames(source: str | BinaryIO, limits: Limits, count: int = 12,
                 working_size: int = 256) -> list[np.ndarray]:
    """A few frames spread over the video (by seeking), for decisions about the whole video
    such as black bars. Damaged or unseekable files give fewer frames, never an error."""
    frames: list[np.ndarray] = []
    try:
        container = _open(source)
    except MediaError:
        return frames
    try:
        vs = _video_stream(container)
        if vs is None:
            return frames
        duration = (container.duration or 0) / av.time_base
        rotation = 0
        for k in range(count):
            target = duration * (k + 0.5) / count if duration > 0 else 0.0
            try:
                if target > 0 and vs.time_base:
                    container.seek(int(target / vs.time_base), stream=vs, backward=True)
                frame = next(container.decode(vs), None)
            except (av.FFmpegError, StopIteration, ValueError):
                break
            if frame is None:
                break
            rotation = int(getattr(frame, "rotation", 0) or 0)
            w, h = _scaled_size(frame.width, frame.height, working_size)
            frames.append(_upright(frame.to_ndarray(format="gray", width=w, height=h,
                                                    interpolation=INTERP), rotation))
            if duration <= 0:
                break
    finally:
        container.close()
    return frames
