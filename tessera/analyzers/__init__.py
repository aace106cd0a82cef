"""Engines that look at decoded media beyond hashing: keyframes, speech, language. No SQL, no
HTTP; models load lazily, once per worker process."""
