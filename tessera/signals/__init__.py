"""Signal types: the extension point. Importing this package registers every built-in type.

To add a type: write a module with a ``SignalType`` subclass, register it there, import it here.
"""

from tessera.signals import chromaprint, face, pdq, vpdq  # noqa: F401  (registration)
from tessera.signals.base import SIGNAL_TYPES, SignalType, VideoPlan, active_types, signal_warnings

__all__ = ["SIGNAL_TYPES", "SignalType", "VideoPlan", "active_types", "signal_warnings"]
