"""Placing MIIT list entries in China's prefecture-level cities by the place names inside their names.

`divisions` reads GB/T 2260 from the pinned data package, `names` derives every name form a division is
written with, `placer` decides one entry's city (or why it stays unplaced).
"""

from greenmfg.places.divisions import DIVISIONS_VINTAGE
from greenmfg.places.placer import PLACEMENT_COLUMNS, Placement, place, place_frame

__all__ = ["DIVISIONS_VINTAGE", "PLACEMENT_COLUMNS", "Placement", "place", "place_frame"]
