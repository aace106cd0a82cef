"""Signal types: the extension point. Importing this package registers every built-in type.

To add a type: write a module with a ``SignalType`` subclass, register it there, import it here.
"""

from tessera.signals import chromaprint, face, pdq, vpdq  # noqa: F401  (registration)
from tessera.signals.base import (
    SIGNAL_TYPES,
    BinaryHashType,
    Knob,
    SequenceType,
    SignalType,
    VideoPlan,
    active_types,
    matching_types,
    signal_warnings,
    spaces_of,
)

__all__ = ["SIGNAL_TYPES", "BinaryHashType", "Knob", "SequenceType", "SignalType", "VideoPlan",
           "active_types", "matching_types", "signal_warnings", "spaces_of"]
