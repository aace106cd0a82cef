"""The HTTP service: a FastAPI application over the same storage as the CLI."""
