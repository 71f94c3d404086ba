"""Writing graphs to files: deterministic Turtle for ``kg build`` (same input, same bytes).

Triples are sorted and grouped by subject before writing, so the output does not depend on
hash seeds or insertion order; files are written atomically.
"""

from __future__ import annotations

import re

from rdflib import Graph

from .store_io import atomic_write_bytes
from .vocab import PREFIXES


def turtle_bytes(g: Graph) -> bytes:
    """Turtle for ``g`` with the project's prefixes, identical for identical graphs."""
    import pyoxigraph as ox

    from .oxi import to_oxigraph_triples

    triples = sorted(to_oxigraph_triples(g), key=_order)
    return ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


_CHAR = re.compile(r"^(.*)#char=(\d+),(\d+)$")


def _order(t) -> tuple:
    """Entities and vocabulary first, then each document in text order (context, sentences and
    mentions by offset, then Statements)."""
    s = t.subject.value if hasattr(t.subject, "value") else str(t.subject)
    m = _CHAR.match(s)
    if m:
        subject_key = (1, m.group(1), int(m.group(2)), -int(m.group(3)), "")
    elif "#" in s:
        base, _, frag = s.partition("#")
        subject_key = (1, base, 1 << 62, 0, frag)
    else:
        subject_key = (0, s, 0, 0, "")
    return subject_key, str(t.predicate), str(t.object)


def write_turtle(g: Graph, path) -> None:
    atomic_write_bytes(path, turtle_bytes(g))
