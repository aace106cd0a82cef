"""From query signals to matches: exact by SHA-256 in the database, near by the signal's index."""
