"""Drives media → signals → store/index over many files: parallel, bounded, resumable."""
