"""The JSON API under ``/api``: one router module per area, each a thin face of ``service``."""
