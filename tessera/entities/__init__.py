"""Investigative entities built on matches: series now; victims, offenders and places next."""
