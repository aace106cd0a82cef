"""Which language a transcript is in, offline, with ``lingua`` (its models ship in the wheel).

Only the languages a deployment names are loaded (all of them take ~1.2 GB per process), in
low-accuracy mode, which is plenty for sentences and small in memory.
"""

from __future__ import annotations

import threading
from functools import cache

from lingua import IsoCode639_1, Language, LanguageDetector, LanguageDetectorBuilder

from tessera.config import MediaOptions

MIN_WORDS = 3
_LOCK = threading.Lock()


@cache
def _detector(codes: tuple[str, ...]) -> LanguageDetector:
    languages = [Language.from_iso_code_639_1(IsoCode639_1.from_str(c)) for c in codes]
    return (LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode()
            .build())


def identify(text: str, codes: tuple[str, ...] = MediaOptions().languages) -> str | None:
    """ISO 639-1 code, or None when the text is too short or ambiguous to tell."""
    if len(text.split()) < MIN_WORDS:
        return None
    with _LOCK:
        found = _detector(codes).detect_language_of(text)
    return found.iso_code_639_1.name.lower() if found is not None else None
