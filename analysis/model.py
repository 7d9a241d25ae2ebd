"""Chancery's domain vocabulary, read from ``analysis/resources/model.json``.

Event kinds (with CAMEO codes and labels), statuses, participant roles and entity kinds are data;
this module loads them once and gives them names. Every layer takes them from here: extraction
(which kinds, statuses and roles it may emit, which CAMEO code an event gets), the store (which
extraction field becomes which participant role), the views (which kinds are drawn, what a
status is called) and the pages (the choices they offer).

Adding an event kind: an entry in ``model.json`` and its extraction rule; the views, the charts
and the pages pick it up from :func:`event_kinds`.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from analysis import config

MODEL_FILE = config.RESOURCES / "model.json"


class ModelError(ValueError):
    """``model.json`` lacks something the code needs, or names something it does not define."""


@lru_cache(maxsize=1)
def vocabulary() -> dict[str, Any]:
    """The parsed ``model.json`` (cached; treat as read-only)."""
    with open(MODEL_FILE, encoding="utf-8") as fh:
        data = json.load(fh)
    for key in ("event_kinds", "statuses", "default_status", "roles", "entity_kinds"):
        if key not in data:
            raise ModelError(f"{MODEL_FILE.name} has no {key!r}")
    if data["default_status"] not in data["statuses"]:
        raise ModelError(f"default_status {data['default_status']!r} is not a status")
    for kind, spec in data["event_kinds"].items():
        if "default" not in spec.get("cameo", {}):
            raise ModelError(f"event kind {kind!r} has no default CAMEO code")
    return data


def _require(section: str, name: str) -> str:
    if name not in vocabulary()[section]:
        raise ModelError(f"{MODEL_FILE.name}: {section} has no {name!r}")
    return name


# --- event kinds ------------------------------------------------------------------------------

def event_kinds() -> tuple[str, ...]:
    """Every event kind, in the order of ``model.json``."""
    return tuple(vocabulary()["event_kinds"])


def kind_count(kind: str, n: int) -> str:
    """``"1 ceasefire"``, ``"3 ceasefires"``: a count of events of a kind, in words from
    ``model.json`` (label for one, plural otherwise), lower case."""
    spec = vocabulary()["event_kinds"].get(kind, {})
    word = spec.get("label", kind) if n == 1 else spec.get("plural", kind)
    return f"{n} {word.lower()}"


def relation_kinds() -> tuple[str, ...]:
    """Kinds that relate two sides (a visitor and a host, participants): the visits-and-meetings
    timelines, the network and the pair views show these."""
    return tuple(k for k, s in vocabulary()["event_kinds"].items() if s.get("between_sides"))


def cameo(kind: str, variant: str = "default") -> str:
    """The CAMEO code of an event kind, for a variant (``planned``, ``hosted``,
    ``third_location``, ``assassination``, ...); the kind's default for an unknown variant.

    :raises ModelError: for an unknown kind.
    """
    codes = vocabulary()["event_kinds"].get(kind, {}).get("cameo")
    if not codes:
        raise ModelError(f"{MODEL_FILE.name}: no event kind {kind!r}")
    return codes.get(variant, codes["default"])


def cameo_variants(kind: str) -> dict[str, str]:
    """Variant -> CAMEO code of an event kind."""
    return dict(vocabulary()["event_kinds"][kind]["cameo"])


# --- statuses ---------------------------------------------------------------------------------

def statuses() -> tuple[str, ...]:
    return tuple(vocabulary()["statuses"])


def default_status() -> str:
    """The status of an event the text gives no status to (``occurred``)."""
    return vocabulary()["default_status"]


def unknown_status() -> str:
    """The name the pages give to an event without a status."""
    return vocabulary().get("unknown_status_label", "unknown")


# --- participant roles ------------------------------------------------------------------------

def roles() -> tuple[str, ...]:
    return tuple(vocabulary()["roles"])


def role_fields() -> dict[str, str]:
    """Field of an extracted event (``visitor``, ``participants``, ...) -> the participant role
    the store records for the names in it."""
    return {f: role for role, spec in vocabulary()["roles"].items() for f in spec.get("fields", [])}


# --- entity kinds -----------------------------------------------------------------------------

def entity_kinds() -> tuple[str, ...]:
    return tuple(vocabulary()["entity_kinds"])


def mention_label(kind: str) -> str | None:
    """The NER label a mention of an entity of this kind carries (``PERSON``, ``ORG``, ``GPE``)."""
    return vocabulary()["entity_kinds"].get(kind, {}).get("mention_label")


# Names the code refers to; each is checked against the data when this module loads.
VISIT = _require("event_kinds", "visit")
MEETING = _require("event_kinds", "meeting")
TALKS = _require("event_kinds", "talks")
AGREEMENT = _require("event_kinds", "agreement")
CEASEFIRE = _require("event_kinds", "ceasefire")
STATEMENT = _require("event_kinds", "statement")
ATTACK = _require("event_kinds", "attack")
OCCURRED = _require("statuses", "occurred")
PLANNED = _require("statuses", "planned")
CANCELLED = _require("statuses", "cancelled")
VISITOR = _require("roles", "visitor")
HOST = _require("roles", "host")
PARTICIPANT = _require("roles", "participant")
MEDIATOR = _require("roles", "mediator")
SPEAKER = _require("roles", "speaker")
PERSON = _require("entity_kinds", "person")
COUNTRY = _require("entity_kinds", "country")
ORGANIZATION = _require("entity_kinds", "organization")
PLACE = _require("entity_kinds", "place")
