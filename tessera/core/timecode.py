"""Seconds as an investigator reads them in reports, contact sheets and the CLI."""


def timecode(seconds: float) -> str:
    """``75.4`` → ``"1:15"``, ``3725`` → ``"1:02:05"``."""
    whole = round(seconds)
    h, m, s = whole // 3600, whole % 3600 // 60, whole % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
