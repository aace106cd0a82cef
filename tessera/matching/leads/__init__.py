"""Leads: connections between files seen in their matches and metadata (same camera, same
place), found by link suggesters, one module each; importing this registers the built-ins."""

from tessera.matching.leads import devices, matches, places  # noqa: F401  (registration)
from tessera.matching.leads.base import (
    SUGGESTERS,
    EntityLead,
    Lead,
    LinkSuggester,
    Probe,
    ProbeItem,
)

__all__ = ["SUGGESTERS", "EntityLead", "Lead", "LinkSuggester", "Probe", "ProbeItem"]
