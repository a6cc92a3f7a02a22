"""City profiles: a city is configuration (its divisions, zones, towns, policy values, reference shape).

Huzhou's profile is the default; GREENMFG_CITY (or `greenmfg run --city`) selects another shipped profile.
Names and codes of a city's divisions come from the division package (greenmfg.places), never from a profile.
"""

from greenmfg.cities.load import available_cities, load_profile, of_parameters, selected, shipped_places
from greenmfg.cities.profile import DEFAULT_CITY, CityProfile, District, Place, Zone
from greenmfg.cities.store import check_store_city

__all__ = [
    "DEFAULT_CITY",
    "CityProfile",
    "District",
    "Place",
    "Zone",
    "available_cities",
    "check_store_city",
    "load_profile",
    "of_parameters",
    "selected",
    "shipped_places",
]
