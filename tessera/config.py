"""One typed settings object, read from ``TESSERA_*`` environment variables and validated once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tessera.core.errors import ConfigError


def _number(env: dict[str, str], name: str, default: float, minimum: float,
            cast: type[int] | type[float]) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = cast(raw)
    except ValueError:
        what = "an integer" if cast is int else "a number"
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from None
    if not value >= minimum:  # also refuses NaN
        raise ConfigError(f"{name} must be at least {minimum}, got {raw}")
    return value


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    return int(_number(env, name, default, minimum, int))


def _float(env: dict[str, str], name: str, default: float, minimum: float) -> float:
    return float(_number(env, name, default, minimum, float))


@dataclass(frozen=True)
class Limits:
    """Caps that keep one hostile file from taking the machine down."""

    max_file_bytes: int = 2 * 1024**3
    max_image_bytes: int = 256 * 1024**2
    max_image_pixels: int = 178_956_970  # Pillow's own bomb threshold (2x its warning level)
    max_archive_members: int = 1_000_000
    max_archive_ratio: int = 200  # uncompressed/compressed, per member
    max_archive_depth: int = 3
    max_video_pixels: int = 8192 * 4320  # per frame: 8K
    max_video_seconds: float = 6 * 3600  # media time analysed per file; the rest is reported
    max_video_decode_seconds: float = 1800  # wall-clock time one file may take to decode


@dataclass(frozen=True)
class MediaOptions:
    """How deeply video and audio are analysed (cost against what is found)."""

    video_sample_fps: float = 1.0  # frames hashed per second of video
    speech: bool = True
    speech_engine: str = "pocketsphinx-en"
    max_speech_seconds: float = 600  # per file: recognition runs at about real time
    languages: tuple[str, ...] = ("en", "de", "fr", "nl", "es", "it", "pt", "pl", "sv", "da",
                                  "fi", "cs", "ro", "ru", "uk", "tr", "ar")
    faces: bool = True
    face_engine: str = "dlib-hog"
    max_faces: int = 100  # per picture, largest first: a crowd must not take minutes
    face_size: int = 1280  # longest side a picture is searched for faces at


def _media(env: dict[str, str]) -> MediaOptions:
    d = MediaOptions()
    languages = tuple(x.strip().lower() for x in env.get("TESSERA_LANGUAGES", "").split(",")
                      if x.strip()) or d.languages
    return MediaOptions(
        video_sample_fps=_float(env, "TESSERA_VIDEO_FPS", d.video_sample_fps, 0.01),
        speech=_flag(env, "TESSERA_SPEECH", d.speech),
        speech_engine=env.get("TESSERA_SPEECH_ENGINE") or d.speech_engine,
        max_speech_seconds=_float(env, "TESSERA_MAX_SPEECH_SECONDS", d.max_speech_seconds, 1),
        languages=languages,
        faces=_flag(env, "TESSERA_FACES", d.faces),
        face_engine=env.get("TESSERA_FACE_ENGINE") or d.face_engine,
        max_faces=_int(env, "TESSERA_MAX_FACES", d.max_faces, 1),
        face_size=_int(env, "TESSERA_FACE_SIZE", d.face_size, 160),
    )


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1 or 0, got {raw!r}")


@dataclass(frozen=True)
class ServiceLimits:
    """What one request or one user may ask of the server."""

    max_upload_bytes: int = 16 * 1024**3
    max_upload_files: int = 50_000
    max_search_bytes: int = 256 * 1024**2
    # a VICS case or hash list imported within one request: ~500k entries, about two minutes
    max_import_bytes: int = 256 * 1024**2
    login_attempts_per_minute: int = 10
    searches_per_minute: int = 120
    cookie_secure: bool = False  # set TESSERA_COOKIE_SECURE=1 behind HTTPS
    trusted_proxies: str = ""  # addresses whose X-Forwarded-For names the real client


@dataclass(frozen=True)
class Settings:
    home: Path
    database_url: str
    # the operator's TESSERA_* variables, from which each signal type reads its own matching
    # knobs (threshold, quality gate; see ``SignalType.tuned``): the type owns their meaning
    tuning: Mapping[str, str] = field(default_factory=dict)
    workers: int = field(default_factory=lambda: max(1, os.cpu_count() or 1))
    limits: Limits = field(default_factory=Limits)
    media: MediaOptions = field(default_factory=MediaOptions)
    service: ServiceLimits = field(default_factory=lambda: ServiceLimits())

    @property
    def key_path(self) -> Path:
        return self.home / "keys" / "evidence.key"

    @property
    def evidence_dir(self) -> Path:
        return self.home / "evidence"

    @property
    def temp_dir(self) -> Path:
        """Private scratch space (upload spooling), inside the protected data folder."""
        return self.home / "tmp"

    @property
    def index_dir(self) -> Path:
        return self.home / "index"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, home: Path | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        home = (home or Path(env.get("TESSERA_HOME") or "tessera-data")).expanduser().resolve()
        url = env.get("TESSERA_DATABASE_URL") or f"sqlite:///{home / 'tessera.db'}"
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
        defaults = Limits()
        limits = Limits(
            max_file_bytes=_int(env, "TESSERA_MAX_FILE_BYTES", defaults.max_file_bytes, 1),
            max_image_bytes=_int(env, "TESSERA_MAX_IMAGE_BYTES", defaults.max_image_bytes, 1),
            max_image_pixels=_int(env, "TESSERA_MAX_IMAGE_PIXELS", defaults.max_image_pixels, 1),
            max_video_pixels=_int(env, "TESSERA_MAX_VIDEO_PIXELS", defaults.max_video_pixels, 1),
            max_video_seconds=_int(env, "TESSERA_MAX_VIDEO_SECONDS",
                                   int(defaults.max_video_seconds), 1),
            max_video_decode_seconds=_int(env, "TESSERA_MAX_VIDEO_DECODE_SECONDS",
                                          int(defaults.max_video_decode_seconds), 1),
        )
        service = ServiceLimits(
            max_upload_bytes=_int(env, "TESSERA_MAX_UPLOAD_BYTES",
                                  ServiceLimits.max_upload_bytes, 1),
            max_upload_files=_int(env, "TESSERA_MAX_UPLOAD_FILES",
                                  ServiceLimits.max_upload_files, 1),
            max_search_bytes=_int(env, "TESSERA_MAX_SEARCH_BYTES",
                                  ServiceLimits.max_search_bytes, 1),
            max_import_bytes=_int(env, "TESSERA_MAX_IMPORT_BYTES",
                                  ServiceLimits.max_import_bytes, 1),
            login_attempts_per_minute=_int(env, "TESSERA_LOGIN_RATE", 10, 1),
            searches_per_minute=_int(env, "TESSERA_SEARCH_RATE", 120, 1),
            cookie_secure=_flag(env, "TESSERA_COOKIE_SECURE", False),
            trusted_proxies=env.get("TESSERA_TRUSTED_PROXIES", "").strip(),
        )
        return cls(
            home=home,
            service=service,
            database_url=url,
            tuning={k: v for k, v in env.items() if k.startswith("TESSERA_")},
            workers=_int(env, "TESSERA_WORKERS", max(1, os.cpu_count() or 1), 1),
            limits=limits,
            media=_media(env),
        )
