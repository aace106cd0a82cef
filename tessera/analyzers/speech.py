"""Speech to text behind one small interface, so a deployment can plug in a stronger engine.

The built-in engine is CMU PocketSphinx with the US-English model bundled in the
``pocketsphinx`` wheel: fully offline, weak on real speech (word error rates of 0.3-0.9 were
measured here), but its words and times are enough to find a recording again by what is said in
it. A stronger engine registers under another name and is chosen with ``TESSERA_SPEECH_ENGINE``.
"""

from __future__ import annotations

import io
import re
import threading
from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from tessera.analyzers.language import identify
from tessera.core.registry import Registry
from tessera.core.types import Utterance

_NOISE = re.compile(r"^(<.*>|\[.*\]|\+\+.*\+\+)$")
_ALTERNATE = re.compile(r"\(\d+\)$")


class SpeechEngine(ABC):
    name: ClassVar[str]

    @abstractmethod
    def transcribe(self, pcm: np.ndarray, rate: int) -> list[Utterance]:
        """Utterances of mono int16 PCM, with times in seconds."""


SPEECH_ENGINES: Registry[type[SpeechEngine]] = Registry("speech engine")


class PocketSphinxEngine(SpeechEngine):
    """Voice activity detection splits the sound; each stretch is decoded as one utterance."""

    name: ClassVar[str] = "pocketsphinx-en"
    _local = threading.local()

    def _decoder(self, rate: int):
        from pocketsphinx import Decoder

        cached = getattr(self._local, "decoder", None)
        if cached is None or cached[0] != rate:
            cached = (rate, Decoder(samprate=rate, loglevel="FATAL"))
            self._local.decoder = cached
        return cached[1]

    def transcribe(self, pcm: np.ndarray, rate: int) -> list[Utterance]:
        from pocketsphinx import Segmenter

        decoder = self._decoder(rate)
        out = []
        for stretch in Segmenter(sample_rate=rate).segment(io.BytesIO(pcm.tobytes())):
            decoder.start_utt()
            decoder.process_raw(stretch.pcm, full_utt=True)
            decoder.end_utt()
            words = [_ALTERNATE.sub("", s.word) for s in decoder.seg()]
            text = " ".join(w for w in words if w and not _NOISE.match(w))
            if text:
                out.append(Utterance(round(stretch.start_time, 2), round(stretch.end_time, 2),
                                     text, engine=self.name))
        return out


SPEECH_ENGINES.register(PocketSphinxEngine.name, PocketSphinxEngine)


def transcribe(pcm: np.ndarray, rate: int, engine: str, max_seconds: float,
               languages: tuple[str, ...]) -> tuple[list[Utterance], list[str]]:
    """Utterances with the transcript's language, and warnings (e.g. audio cut at the cap)."""
    warnings = []
    limit = int(max_seconds * rate)
    if pcm.size > limit:
        warnings.append(f"speech recognised in the first {max_seconds:g} s only")
        pcm = pcm[:limit]
    utterances = SPEECH_ENGINES.get(engine)().transcribe(pcm, rate)
    language = identify(" ".join(u.text for u in utterances), languages)
    return [Utterance(u.start, u.end, u.text, language, u.engine, u.confidence)
            for u in utterances], warnings
