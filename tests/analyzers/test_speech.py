"""Speech: recognised offline with the bundled model, stored with times and a language, found
again from the command line. Real recorded speech (JFK, ../shared/data/audio) and Debian
espeak-ng speech inside a generated video."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from tessera.analyzers.language import identify
from tessera.analyzers.speech import SPEECH_ENGINES, SpeechEngine, transcribe
from tessera.core.types import Utterance
from tessera.media.video import AUDIO_RATE
from tessera.synthetic import Shot, write_video
from tests.test_cli import tessera


def _espeak(text: str, path: Path) -> np.ndarray:
    assert shutil.which("espeak-ng"), "espeak-ng is installed by scripts/system-deps.sh"
    subprocess.run(["espeak-ng", "-s", "140", "-w", str(path), text], check=True)
    import av

    with av.open(str(path)) as c:
        resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)
        chunks = [o.to_ndarray().ravel() for f in c.decode(c.streams.audio[0])
                  for o in resampler.resample(f)]
    return np.concatenate(chunks)


def test_language_identification() -> None:
    assert identify("the weather is nice today and we will meet at the station") == "en"
    assert identify("das Wetter ist heute schön und wir treffen uns am Bahnhof") == "de"
    assert identify("oui") is None  # too short to tell


def test_a_stronger_engine_plugs_in_by_name(tmp_path: Path) -> None:
    class Fixed(SpeechEngine):
        name = "fixed-test-engine"

        def transcribe(self, pcm: np.ndarray, rate: int) -> list[Utterance]:
            return [Utterance(0.0, pcm.size / rate, "guten Tag wie geht es Ihnen heute",
                              engine=self.name)]

    if "fixed-test-engine" not in SPEECH_ENGINES:
        SPEECH_ENGINES.register(Fixed.name, Fixed)
    pcm = np.zeros(AUDIO_RATE * 2, dtype=np.int16)
    utterances, _ = transcribe(pcm, AUDIO_RATE, "fixed-test-engine", 600, ("en", "de"))
    assert utterances[0].language == "de" and utterances[0].end == pytest.approx(2.0)


def test_pocketsphinx_gives_timed_words_for_synthetic_speech(tmp_path: Path) -> None:
    pcm = _espeak("the red boat is in the harbour. call me tomorrow morning.", tmp_path / "s.wav")
    utterances, warnings = transcribe(pcm, AUDIO_RATE, "pocketsphinx-en", 2, ("en", "de"))
    assert warnings == ["speech recognised in the first 2 s only"]
    assert utterances and all(0 <= u.start < u.end <= 2.01 for u in utterances)
    assert all(u.text.strip() and u.engine == "pocketsphinx-en" for u in utterances)


def test_ingested_speech_is_searchable_from_the_cli(tmp_path: Path, shared_data: Path) -> None:
    home = tmp_path / "home"
    tessera(home, "init")
    tessera(home, "agency", "add", "AU", "Australian Federal Police", "--country", "AU")
    case = tmp_path / "case"
    case.mkdir()
    shutil.copy(shared_data / "audio" / "speech_jfk.flac", case / "speech.flac")
    track = _espeak("the red boat is in the harbour. call me tomorrow morning.",
                    tmp_path / "s.wav")
    write_video(case / "talk.mp4", [Shot(3, 4.5)], audio=track)
    tessera(home, "ingest", str(case), "--agency", "AU", "--series", "Talk",
            extra_env={"TESSERA_SPEECH": "1"})
    found = tessera(home, "search", "text", "your country", "--json").stdout.splitlines()
    assert found, "JFK's 'what your country can do for you' is recognised"
    row = json.loads(found[0])
    assert row["series"] == ["Talk"] and row["agencies"] == ["AU"]
    assert row["language"] == "en" and 0 <= row["start"] < row["end"] <= 11.1
    # the generated video's transcript is stored with times inside its 4.5 s
    shown = json.loads(tessera(home, "media", "show", "2").stdout)
    video = shown if shown["kind"] == "video" else json.loads(
        tessera(home, "media", "show", "1").stdout)
    assert video["transcript"] and all(t["end"] <= 4.6 for t in video["transcript"])
    word = video["transcript"][0]["text"].split()[0]
    hits = [json.loads(x) for x in tessera(home, "search", "text", word, "--json")
            .stdout.splitlines()]
    assert any(h["media_id"] == video["id"] for h in hits)
    assert "no speech found" in tessera(home, "search", "text", "zebra quantum").stdout
