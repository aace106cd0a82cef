"""Media sources: files, folders and the container formats opened in place. Importing this
package registers every built-in container format (zip, tar).

To add a format: write a module with a ``Source`` subclass, register it in ``SOURCES`` there,
import it here. Its ``claims`` recognises the format from a file's first bytes.
"""

from tessera.media.sources import tars, zips  # noqa: F401  (registration)
from tessera.media.sources.base import ARCHIVE_SEPARATOR, SOURCES, Container, Entry, Item, Source
from tessera.media.sources.walk import iter_items, open_item

__all__ = ["ARCHIVE_SEPARATOR", "SOURCES", "Container", "Entry", "Item", "Source", "iter_items",
           "open_item"]
