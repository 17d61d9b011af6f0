"""Which client of the fleet sent which ping: by the Glean client id of its app and daemon.

Every ping carries its Glean ``client_info.client_id``, one per process and
installation, which the fleet reads from each installation's Glean data
directories (``Installation.glean_client_id``).  A ping whose client id
belongs to no installation of the run is counted as unattributed: its
invariants could not be checked, which the result says.

The fault runner's invariants read the pings through the session report,
whose stable tables leave ``automation``-tagged pings out; they are about
what the pings carry, not about how they are tagged, so the source tags
are set aside for them (``for_checks``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import msgspec

from lab.chaos.invariants import client_id_of
from mimic_core.lab_api import StoredPing

SOURCE_TAGS_HEADER = "x_source_tags"
DEBUG_ID_HEADER = "x_debug_id"


class Attribution(msgspec.Struct, frozen=True):
    by_client: dict[str, list[StoredPing]]
    """Client name -> its pings, in the order given."""
    unattributed: list[StoredPing]


def attribute(pings: Iterable[StoredPing], glean_ids: Mapping[str, Sequence[str | None]]) -> Attribution:
    """Split ``pings`` by client; ``glean_ids`` maps each client's name to its processes' Glean client ids."""
    owner = {glean_id: name for name, ids in glean_ids.items() for glean_id in ids if glean_id}
    by_client: dict[str, list[StoredPing]] = {name: [] for name in glean_ids}
    unattributed: list[StoredPing] = []
    for stored in pings:
        name = owner.get(client_id_of(stored) or "")
        if name is None:
            unattributed.append(stored)
        else:
            by_client[name].append(stored)
    return Attribution(by_client=by_client, unattributed=unattributed)


def with_debug_tag(pings: Iterable[StoredPing], tag: str) -> tuple[list[StoredPing], int]:
    """(the pings carrying ``X-Debug-ID: tag``, how many others there were)."""
    tagged: list[StoredPing] = []
    others = 0
    for stored in pings:
        if stored.headers.get(DEBUG_ID_HEADER) == tag:
            tagged.append(stored)
        else:
            others += 1
    return tagged, others


def for_checks(pings: Iterable[StoredPing]) -> list[StoredPing]:
    """``pings`` without their source tags, so the report's stable tables keep automation-tagged ones."""
    return [
        msgspec.structs.replace(
            stored, headers={name: value for name, value in stored.headers.items() if name != SOURCE_TAGS_HEADER}
        )
        if SOURCE_TAGS_HEADER in stored.headers
        else stored
        for stored in pings
    ]
