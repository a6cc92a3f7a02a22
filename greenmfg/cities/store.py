"""One store, one city: a store whose latest snapshot was published for another city is refused."""

from __future__ import annotations

from greenmfg.cities.load import load_profile, of_parameters
from greenmfg.errors import SettingsError
from greenmfg.storage import ObjectStore


def check_store_city(published: ObjectStore, city_code: str) -> None:
    """Raise when the latest snapshot of `published` is of a city other than `city_code`: its staged MIIT
    districts, its districts and its history are that city's, and mixing two cities in one store would
    publish one city's filings under the other's name."""
    from greenmfg.publish import latest, read_manifest

    head = latest(published)
    if head is None:
        return
    found = of_parameters(read_manifest(published, head.snapshot_id).get("parameters") or {})
    if found.code != city_code:
        wanted = load_profile(city_code)
        raise SettingsError(
            f"{published.uri()} holds the snapshots of {found.name_zh} ({found.code}); expected a store of "
            f"{wanted.name_zh} ({city_code}): set GREENMFG_STORE_URL to its own store, or leave it unset for "
            "the city's local store"
        )
