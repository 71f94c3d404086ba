"""Conversion between rdflib terms (the graph model) and pyoxigraph terms (the fast engine)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import pyoxigraph as ox
from rdflib import XSD, BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .vocab import KG, NIF, PREFIXES


@lru_cache(maxsize=65536)
def _named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def to_ox(term: Node):
    # exact types first: isinstance on rdflib's terms (ABCs) is slow when it fails
    kind = type(term)
    if kind is URIRef or (kind is not Literal and isinstance(term, URIRef)):
        return _named(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=_named(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot convert {term!r} to pyoxigraph")


def from_ox(term) -> Node:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        dt = term.datatype.value
        if dt == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(dt))
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise TypeError(f"cannot convert {term!r} to rdflib")


def to_oxigraph_triples(g: Iterable) -> Iterator:
    for s, p, o in g:
        yield ox.Triple(to_ox(s), to_ox(p), to_ox(o))


def to_rdflib_graph(triples: Iterable, graph: Graph | None = None) -> Graph:
    g = graph if graph is not None else Graph()
    for t in triples:
        g.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return g


# ---------------------------------------------------------------- literal datatypes
#
# pyoxigraph's Store (0.5) keeps literals by value: "5"^^xsd:nonNegativeInteger comes back as
# "5"^^xsd:integer and "1.0"^^xsd:decimal as "1"^^xsd:decimal, in query results and dumps alike.
# The graph stage writes offsets and counts as xsd:nonNegativeInteger (NIF, and the SHACL shapes
# require it) and confidences like "1.0". So whatever leaves the store as RDF is restored to the
# builder's datatypes for these predicates (a test builds real graphs, round-trips them through
# the store and checks isomorphism, so a new predicate that needs this fails there).

XSD_NS = str(XSD)
NON_NEGATIVE = (str(NIF.beginIndex), str(NIF.endIndex), str(KG.mentionCount))
DECIMAL = (str(KG.confidence),)


def union_triples(store: ox.Store):
    """Every triple of ``store``'s graphs once (the union of its named graphs and default graph)."""
    return store.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", use_default_graph_as_union=True)


@lru_cache(maxsize=1)
def _restore_patterns() -> dict[str, tuple[list, list]]:
    """Per syntax, the (pattern, replacement) pairs that put the builder's datatypes back into
    pyoxigraph's output: those for integers (NON_NEGATIVE), then those for decimals (DECIMAL).
    Each pattern holds an unescaped quote or ends a line, which text inside
    a literal cannot (pyoxigraph escapes quotes, and newlines in Turtle), so literals are safe.
    Every pattern starts with a literal (one per predicate), which the regex engine finds fast."""
    import re

    def curie(iri: str) -> bytes:
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns):
                return f"{prefix}:{iri[len(ns):]}".encode()
        return f"<{iri}>".encode()

    def by_namespace(iris):
        """(namespace, local-name alternation) pairs: one pattern per namespace keeps a literal
        start the regex engine can search for."""
        groups: dict[str, list[str]] = {}
        for iri in iris:
            cut = max(iri.rfind("#"), iri.rfind("/")) + 1
            groups.setdefault(iri[:cut], []).append(iri[cut:])
        return [(ns, b"(?:" + b"|".join(re.escape(n.encode()) for n in names) + b")") for ns, names in groups.items()]

    xsd = re.escape(XSD_NS.encode())
    integers: dict[str, list] = {"nt": [], "turtle": [], "jsonld": []}
    decimals: dict[str, list] = {"nt": [], "turtle": [], "jsonld": []}
    for ns, names in by_namespace(NON_NEGATIVE):
        full = re.escape(ns.encode()) + names
        short = re.escape(curie(ns)) + names
        # N-Triples and N-Quads: <p> "5"^^<xsd:integer>
        integers["nt"].append((re.compile(b"(<" + full + rb'> "\d+"\^\^<' + xsd + rb")integer>"), rb"\1nonNegativeInteger>"))
        # Turtle and TriG with the project prefixes: a bare number ending the line
        for lead in (b"\t", b" "):
            integers["turtle"].append((re.compile(rb"(?m)(" + lead + short + rb" )(\d+)( [;.])$"), rb'\1"\2"^^xsd:nonNegativeInteger\3'))
        # pyoxigraph's expanded JSON-LD
        integers["jsonld"].append((re.compile(rb'("' + full + rb'":\[\{"@type":"' + xsd + rb")integer\b"), rb"\1nonNegativeInteger"))
    for ns, names in by_namespace(DECIMAL):
        full = re.escape(ns.encode()) + names
        short = re.escape(curie(ns)) + names
        decimals["nt"].append((re.compile(b"(<" + full + rb'> "-?\d+)("\^\^<' + xsd + rb"decimal>)"), rb"\1.0\2"))
        for lead in (b"\t", b" "):
            decimals["turtle"].append((re.compile(rb"(?m)(" + lead + short + rb' "-?\d+)("\^\^xsd:decimal [;.])$'), rb"\1.0\2"))
        decimals["jsonld"].append((re.compile(rb'("' + full + rb'":\[\{"@type":"' + xsd + rb'decimal","@value":"-?\d+)(")'), rb"\1.0\2"))
    return {syntax: (integers[syntax], decimals[syntax]) for syntax in integers}


# The regex passes copy the whole dump each; most can be skipped after asking the store how many
# literals need them (indexed by predicate, so cheap). In N-Triples/N-Quads and pyoxigraph's
# JSON-LD the integer datatype is written out after each canonicalised literal; when the dump
# holds that text exactly as often as the store holds integer objects of NON_NEGATIVE predicates,
# every occurrence is one of them (any other integer literal, or the text inside a string, would
# add one), so one plain replace restores them all. Integral decimals ("1") are rare.
_INTEGER_TEXT = {
    "nt": (f'"^^<{XSD_NS}integer>'.encode(), f'"^^<{XSD_NS}nonNegativeInteger>'.encode()),
    "jsonld": (f'"@type":"{XSD_NS}integer"'.encode(), f'"@type":"{XSD_NS}nonNegativeInteger"'.encode()),
}


def _count(store: ox.Store, predicates, condition: str, graph) -> int:
    """How many objects of ``predicates`` meet ``condition`` (on ?o) in what is dumped: every
    graph (``graph`` None), the union as one graph (``graph`` "union"), or one graph."""
    pattern = f"VALUES ?p {{ {' '.join(f'<{p}>' for p in predicates)} }}"
    if graph == "union":  # each triple once, however many graphs hold it
        where = f"{{ SELECT DISTINCT ?s ?p ?o WHERE {{ {pattern} ?s ?p ?o FILTER({condition}) }} }}"
    elif graph is None:
        where = f"{{ {pattern} {{ GRAPH ?g {{ ?s ?p ?o }} }} UNION {{ ?s ?p ?o }} FILTER({condition}) }}"
    else:
        scope = "" if isinstance(graph, ox.DefaultGraph) else f"GRAPH <{graph.value}>"
        where = f"{{ {pattern} {scope} {{ ?s ?p ?o }} FILTER({condition}) }}"
    (row,) = store.query(f"SELECT (COUNT(*) AS ?n) WHERE {where}", use_default_graph_as_union=graph == "union")
    return int(row["n"].value)


def restore_dump(store: ox.Store, data: bytes, syntax: str = "nt", graph=None) -> bytes:
    """pyoxigraph's dump ``data`` of ``store`` (``syntax`` "nt" for N-Triples/N-Quads, "turtle"
    for Turtle/TriG with the project prefixes, "jsonld" for its expanded JSON-LD; ``graph`` None
    for the whole dataset, "union" for the union as one graph, or the one graph dumped) with the
    builder's datatypes back: the passes the store says are not needed skipped, and the integer
    datatypes put back by one replace where that is exact."""
    integers, decimals = _restore_patterns()[syntax]
    wanted = []
    n = _count(store, NON_NEGATIVE, f"DATATYPE(?o) = <{XSD_NS}integer>", graph)
    text = _INTEGER_TEXT.get(syntax)
    if n and text and data.count(text[0]) == n:
        data = data.replace(*text)
    elif n:
        wanted += integers
    if _count(store, DECIMAL, f'DATATYPE(?o) = <{XSD_NS}decimal> && !CONTAINS(STR(?o), ".")', graph):
        wanted += decimals
    for pattern, repl in wanted:
        data = pattern.sub(repl, data)
    return data


_NON_NEGATIVE = frozenset(NON_NEGATIVE)
_DECIMAL = frozenset(DECIMAL)


def restore_literal(predicate: str, lit):
    """The same restoration for one pyoxigraph literal object of ``predicate``."""
    if not isinstance(lit, ox.Literal):
        return lit
    dt = lit.datatype.value
    if predicate in _NON_NEGATIVE and dt == XSD_NS + "integer":
        return ox.Literal(lit.value, datatype=ox.NamedNode(XSD_NS + "nonNegativeInteger"))
    if predicate in _DECIMAL and dt == XSD_NS + "decimal" and "." not in lit.value:
        return ox.Literal(lit.value + ".0", datatype=lit.datatype)
    return lit


def restored_triples(triples: Iterable) -> Iterator:
    for t in triples:
        o = restore_literal(t.predicate.value, t.object)
        yield t if o is t.object else ox.Triple(t.subject, t.predicate, o)
