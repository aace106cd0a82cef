"""The only layer that writes SQL or evidence files."""
