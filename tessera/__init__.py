"""Tessera: de-confliction of seized media against a shared, need-to-know database."""

__version__ = "0.1.0"
