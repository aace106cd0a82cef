"""Link suggesters, one module each; importing this registers the built-ins."""

from tessera.entities.suggesters import devices, matches, places  # noqa: F401  (registration)
from tessera.entities.suggesters.base import SUGGESTERS, Lead, LinkSuggester, Probe, ProbeItem

__all__ = ["SUGGESTERS", "Lead", "LinkSuggester", "Probe", "ProbeItem"]
