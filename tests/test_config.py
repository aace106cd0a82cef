from pathlib import Path

import pytest

from tessera.config import Settings
from tessera.core.errors import ConfigError


def test_defaults_put_everything_under_home(tmp_path: Path) -> None:
    s = Settings.from_env(env={}, home=tmp_path)
    assert s.database_url == f"sqlite:///{tmp_path / 'tessera.db'}"
    assert s.key_path.is_relative_to(tmp_path)


def test_postgres_url_uses_psycopg3(tmp_path: Path) -> None:
    s = Settings.from_env(env={"TESSERA_DATABASE_URL": "postgresql://u@h/db"}, home=tmp_path)
    assert s.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize("env", [{"TESSERA_WORKERS": "0"}, {"TESSERA_VIDEO_FPS": "0"},
                                 {"TESSERA_VIDEO_FPS": "fast"},
                                 {"TESSERA_MAX_VIDEO_SECONDS": "0"},
                                 {"TESSERA_MAX_SPEECH_SECONDS": "nan"}])
def test_bad_settings_are_refused(tmp_path: Path, env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env(env=env, home=tmp_path)


def test_video_and_speech_settings(tmp_path: Path) -> None:
    s = Settings.from_env(env={"TESSERA_VIDEO_FPS": "2.5", "TESSERA_SPEECH": "0",
                               "TESSERA_LANGUAGES": "EN, de", "TESSERA_MAX_VIDEO_SECONDS": "60"},
                          home=tmp_path)
    assert s.media.video_sample_fps == 2.5 and s.media.speech is False
    assert s.media.languages == ("en", "de") and s.limits.max_video_seconds == 60
    assert Settings.from_env(env={}, home=tmp_path).media.speech is True


def test_face_settings(tmp_path: Path) -> None:
    s = Settings.from_env(env={"TESSERA_FACES": "off", "TESSERA_FACE_ENGINE": "dlib-cnn",
                               "TESSERA_MAX_FACES": "7"}, home=tmp_path)
    assert s.media.faces is False and s.media.face_engine == "dlib-cnn"
    assert s.media.max_faces == 7
    default = Settings.from_env(env={}, home=tmp_path)
    assert default.media.faces is True
    for bad in ({"TESSERA_FACES": "maybe"}, {"TESSERA_MAX_FACES": "0"}):
        with pytest.raises(ConfigError):
            Settings.from_env(env=bad, home=tmp_path)


@pytest.mark.parametrize("raw", ["1", "TRUE", "on", "Yes", " true "])
def test_secure_cookies_use_the_one_flag_parser(tmp_path: Path, raw: str) -> None:
    """`TRUE` or `on` once left cookies without Secure (a parser of its own)."""
    s = Settings.from_env(env={"TESSERA_COOKIE_SECURE": raw}, home=tmp_path)
    assert s.service.cookie_secure is True


def test_an_unclear_secure_cookie_setting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        Settings.from_env(env={"TESSERA_COOKIE_SECURE": "maybe"}, home=tmp_path)
    assert not Settings.from_env(env={"TESSERA_COOKIE_SECURE": "off"},
                                 home=tmp_path).service.cookie_secure
