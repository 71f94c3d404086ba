"""Writing graphs to files, through pyoxigraph (rdflib's writers are ~50x slower at 1M triples).

``turtle_bytes``/``write_turtle`` give the deterministic Turtle of ``kg build`` (same input, same
bytes): triples sorted and grouped by subject, so the output does not depend on hash seeds or
insertion order.

``export(store, fmt, path)`` writes a whole dataset (see ``kg.store.open_dataset``):

- ``turtle``, ``ntriples``: the union of all graphs as one graph;
- ``trig``, ``nquads``: one named graph per document plus the entity graph (the store layout;
  a single-graph input such as graph.ttl is split by document first), for loading into servers;
- ``jsonld``: JSON-LD with an ``@context`` of the project prefixes, named graphs kept;
- ``graphml``, ``csv``: the entity graph (entities as nodes, direct facts as edges) for Gephi,
  Cytoscape or networkx.

Every RDF export parses back (rdflib and pyoxigraph) to a graph isomorphic to the input.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import os
import re
from functools import lru_cache

import pyoxigraph as ox
from rdflib import Graph

from .errors import StoreError
from .store_io import atomic_write_bytes
from .vocab import PREFIXES

EXPORT_FORMATS = {
    "turtle": ".ttl",
    "ntriples": ".nt",
    "trig": ".trig",
    "nquads": ".nq",
    "jsonld": ".jsonld",
    "graphml": ".graphml",
    "csv": ".csv",
}
_RDF = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}


def turtle_bytes(g: Graph) -> bytes:
    """Turtle for ``g`` with the project's prefixes, identical for identical graphs."""
    from .oxi import to_ox

    converted: dict = {}  # subjects and predicates repeat: each is converted once

    def once(term):
        x = converted.get(term)
        if x is None:
            x = converted[term] = to_ox(term)
        return x

    triples = [(once(s), once(p), to_ox(o)) for s, p, o in g]
    # in the order of _subject_key (computed once per subject), then predicate and object as N-Triples
    keys = {s: _subject_key(s.value) for s in {t[0] for t in triples}}
    rank = {k: i for i, k in enumerate(sorted(set(keys.values())))}
    triples.sort(key=lambda t: (rank[keys[t[0]]], str(t[1]), str(t[2])))
    return ox.serialize([ox.Triple(*t) for t in triples], format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


_CHAR = re.compile(r"^(.*)#char=(\d+),(\d+)$")


def _subject_key(s: str) -> tuple:
    """Entities and vocabulary first, then each document in text order (context, sentences and
    mentions by offset, then Statements)."""
    m = _CHAR.match(s)
    if m:
        return (1, m.group(1), int(m.group(2)), -int(m.group(3)), "")
    if "#" in s:
        base, _, frag = s.partition("#")
        return (1, base, 1 << 62, 0, frag)
    return (0, s, 0, 0, "")


def write_turtle(g: Graph, path) -> None:
    atomic_write_bytes(path, turtle_bytes(g))


# ---------------------------------------------------------------- dataset exports


def format_for(path, fmt: str | None) -> str:
    """The export format: ``fmt`` if given, else from the file extension."""
    if fmt:
        if fmt not in EXPORT_FORMATS:
            raise StoreError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
        return fmt
    suffix = str(path).rsplit(".", 1)[-1].lower() if "." in str(path) else ""
    for name, ext in EXPORT_FORMATS.items():
        if ext == f".{suffix}":
            return name
    raise StoreError(f"{path}: cannot tell the export format from the extension; give --format ({', '.join(EXPORT_FORMATS)})")


def export_bytes(store: ox.Store, fmt: str) -> bytes:
    """The dataset in ``store`` serialised as ``fmt`` (one of EXPORT_FORMATS), written by
    pyoxigraph with the builder's literal datatypes put back (``oxi.restore_dump``)."""
    from .oxi import restore_dump, union_triples
    from .store import has_named_graphs, split_by_document

    if fmt in ("trig", "nquads", "jsonld") and not has_named_graphs(store) and len(store):
        split_by_document(store)  # only in-memory datasets (files) lack named graphs
    if fmt == "nquads":
        return restore_dump(store, store.dump(format=ox.RdfFormat.N_QUADS), "nt")
    if fmt == "trig":
        return restore_dump(store, store.dump(format=ox.RdfFormat.TRIG, prefixes=PREFIXES), "turtle")
    if fmt == "jsonld":
        return compact_jsonld(restore_dump(store, store.dump(format=ox.RdfFormat.JSON_LD), "jsonld"))
    if fmt in ("turtle", "ntriples"):
        rdf, syntax = (ox.RdfFormat.TURTLE, "turtle") if fmt == "turtle" else (ox.RdfFormat.N_TRIPLES, "nt")
        prefixes = PREFIXES if fmt == "turtle" else None
        if has_named_graphs(store):
            union = union_triples(store)
            return restore_dump(store, ox.serialize(union, format=rdf, prefixes=prefixes), syntax, "union")
        dump = store.dump(format=rdf, from_graph=ox.DefaultGraph(), prefixes=prefixes)
        return restore_dump(store, dump, syntax, ox.DefaultGraph())
    if fmt in ("graphml", "csv"):
        from .analysis import entity_graph

        g = entity_graph(store)
        return graphml_bytes(g) if fmt == "graphml" else edges_csv_bytes(g)
    raise StoreError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")


def export(store: ox.Store, fmt: str, path) -> int:
    """Write the dataset to ``path`` (atomically) as ``fmt``; returns the bytes written."""
    data = export_bytes(store, fmt)
    atomic_write_bytes(path, data)
    return len(data)


GRAPH_SYNTAXES = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML, ox.RdfFormat.N3)


def export_source_bytes(source, fmt: str) -> bytes:
    """What ``kg export SOURCE`` writes. A graph file is converted as it is parsed: pyoxigraph's
    parser feeds its serialiser (split by document on the way for TriG, N-Quads and JSON-LD), with
    no store in between, so literals keep their datatypes and nothing needs restoring. A store
    directory, GraphML/CSV, and the union of a dataset file as one graph (which needs duplicates
    removed) go through ``export_bytes``."""
    from pathlib import Path

    from .store import open_dataset, rdf_format, reading, split_by_document_quads

    path = Path(source)
    if path.is_dir() or fmt in ("graphml", "csv"):
        return export_bytes(open_dataset(path), fmt)
    if fmt not in EXPORT_FORMATS:
        raise StoreError(f"unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}")
    syntax = rdf_format(path)
    if fmt in ("turtle", "ntriples") and syntax not in GRAPH_SYNTAXES:
        return export_bytes(open_dataset(path), fmt)
    with reading(path, syntax):
        quads = ox.parse(path=str(path), format=syntax)
        if fmt in ("turtle", "ntriples"):
            triples = (ox.Triple(q.subject, q.predicate, q.object) for q in quads)
            return ox.serialize(triples, format=_RDF[fmt], prefixes=PREFIXES if fmt == "turtle" else None)
        first = next(quads, None)
        if first is None:
            quads = iter(())
        elif isinstance(first.graph_name, ox.DefaultGraph):  # a graph, or a dataset without named graphs
            quads = split_by_document_quads(itertools.chain((first,), quads))
        else:  # already one named graph per document: straight through
            quads = itertools.chain((first,), quads)
        if fmt == "jsonld":
            return compact_jsonld(ox.serialize(quads, format=ox.RdfFormat.JSON_LD))
        return ox.serialize(quads, format=_RDF[fmt], prefixes=PREFIXES if fmt == "trig" else None)


def export_source(source, fmt: str, path) -> int:
    """Write ``export_source_bytes(source, fmt)`` to ``path`` (atomically); returns the bytes written."""
    data = export_source_bytes(source, fmt)
    atomic_write_bytes(path, data)
    return len(data)


# ---------------------------------------------------------------- JSON-LD


def jsonld_context() -> dict:
    return {"@context": dict(PREFIXES)}


@lru_cache(maxsize=1)
def _compaction():
    """Patterns over pyoxigraph's whitespace-free expanded JSON-LD. A JSON string that starts
    with a namespace is a key, an @id or an @type (IRIs), or an @value (text). The fast pattern
    (a quote and a namespace) compacts every one, and would also hit an escaped quote inside a
    string, so it is used only when no @value starts with a namespace and no escaped quote is
    followed by one; otherwise the strict pattern looks at what precedes the string. A local
    part starting with // is left alone (it would read as an IRI)."""
    namespaces = sorted(PREFIXES.values(), key=len, reverse=True)
    alternation = b"|".join(re.escape(ns.encode("utf-8")) for ns in namespaces)
    # the namespaces' common start ("http") stays outside the group: the regex engine then
    # searches for that literal instead of trying the alternation at every quote
    common = os.path.commonprefix(namespaces).encode("utf-8")
    rests = b"|".join(re.escape(ns.encode("utf-8")[len(common):]) for ns in namespaces)
    fast = re.compile(rb'"' + re.escape(common) + b"(" + rests + rb")(?!//)")
    strict = re.compile(rb'(?:(?<=[{,\[])|(?<="@id":)|(?<="@type":))"' + re.escape(common) + b"(" + rests + rb")(?!//)")
    risky = (re.compile(rb'"@value":"(?:' + alternation + rb")"), re.compile(rb'\\"(?:' + alternation + rb")"))
    names = {ns.encode("utf-8")[len(common):]: f'"{prefix}:'.encode("utf-8") for prefix, ns in PREFIXES.items()}
    return fast, strict, risky, names


def compact_jsonld(expanded: bytes) -> bytes:
    """pyoxigraph's expanded JSON-LD with the project prefixes as ``@context`` and IRIs written
    as compact IRIs (kg:worksFor, person:サム・アルトマン)."""
    fast, strict, risky, names = _compaction()
    parts = (strict if any(r.search(expanded) for r in risky) else fast).split(expanded)
    parts[1::2] = [names[ns] for ns in parts[1::2]]
    head = json.dumps(jsonld_context()["@context"], ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b'{"@context":' + head + b',"@graph":' + b"".join(parts) + b"}\n"


def jsonld_bytes(quads) -> bytes:
    """JSON-LD (with the project context) for an iterable of pyoxigraph quads."""
    return compact_jsonld(ox.serialize(quads, format=ox.RdfFormat.JSON_LD))


# ---------------------------------------------------------------- graph formats


def graphml_bytes(g) -> bytes:
    import networkx as nx

    buf = io.BytesIO()
    nx.write_graphml(g, buf, encoding="utf-8")
    return buf.getvalue()


def edges_csv_bytes(g) -> bytes:
    """One row per direct fact: source, target, relation (IRIs), their labels, and how many
    Statements back it. Column names Gephi and Cytoscape recognise."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["source", "target", "relation", "source_label", "target_label", "relation_label", "statements"])
    for s, o, data in sorted(g.edges(data=True), key=lambda e: (e[0], e[2]["relation"], e[1])):
        w.writerow([s, o, data["relation"], g.nodes[s].get("label", ""), g.nodes[o].get("label", ""),
                    data.get("label", ""), data.get("statements", 0)])
    return buf.getvalue().encode("utf-8")
