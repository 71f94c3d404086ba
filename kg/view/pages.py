"""The SPARQL page of ``kg serve``: an editor, a results table, and "show as graph".

``query_page_html`` is the page; it runs queries against the SPARQL 1.1 Protocol endpoint of
the server that serves it. Results with subject/predicate/object columns (or the triples of a
CONSTRUCT) are posted to the graph route, which fetches what the store knows about those terms
(types, labels, Statements with their sentences) with CONSTRUCT queries and answers with the
same view data graph.html embeds (``rows_view_data``), drawn by the same view code.
``mount(app)`` adds both routes to kg serve (kg.serve lists this module in PAGE_MODULES).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable

from rdflib import BNode, Graph, Literal, URIRef

from ..errors import QueryError
from ..vocab import PREFIXES, relations
from .data import rows_view_data
from .page import asset, render_page, vis_network_js

MAX_GRAPH_ROWS = 5000  # rows drawn by "show as graph"; more would not be readable anyway
_BATCH = 200  # terms per VALUES block of a describing query

DEFAULT_QUERY = """PREFIX kg: <https://w3id.org/kg-ja/ns#>
# Relation triples between entities; "Show as graph" draws them.
SELECT ?s ?p ?o WHERE {
  ?s ?p ?o .
  FILTER(STRSTARTS(STR(?p), STR(kg:)) && STRSTARTS(STR(?s), "https://w3id.org/kg-ja/id/entity/")
         && STRSTARTS(STR(?o), "https://w3id.org/kg-ja/id/entity/"))
}
LIMIT 500
"""

_PREFIX_LINES = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in sorted(PREFIXES.items()))

# what the view shows of each node
_DESCRIBE = _PREFIX_LINES + """CONSTRUCT { ?e ?p ?v } WHERE {
  VALUES ?e { %s }
  VALUES ?p { rdf:type rdfs:label skos:altLabel kg:reading kg:wikidata owl:sameAs kg:mentionCount }
  ?e ?p ?v .
}"""

# which rows are direct triples, and the Statements of each row with their sentences
_EVIDENCE = _PREFIX_LINES + """CONSTRUCT {
  ?ds ?dp ?do .
  ?st ?sp ?sv .
  ?sen nif:anchorOf ?text ; nif:beginIndex ?begin ; nif:referenceContext ?ctx .
  ?ctx dcterms:identifier ?doc .
} WHERE {
  VALUES (?s ?p ?o) { %s }
  { ?s ?p ?o BIND(?s AS ?ds) BIND(?p AS ?dp) BIND(?o AS ?do) }  # the row is a direct triple
  UNION
  { ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; ?sp ?sv .
    OPTIONAL { ?st prov:wasDerivedFrom ?sen . ?sen nif:anchorOf ?text ; nif:beginIndex ?begin }
    OPTIONAL { ?st nif:referenceContext ?ctx . ?ctx dcterms:identifier ?doc } }
}"""


def query_page_html(*, endpoint: str = "/sparql", graph_endpoint: str = "/query/graph", title: str = "kg SPARQL",
                    examples: Iterable = (), query: str = DEFAULT_QUERY) -> str:
    """The SPARQL page. ``examples`` are (name, description, text) ready queries for its menu."""
    config = {
        "title": title, "endpoint": endpoint, "graphEndpoint": graph_endpoint, "query": query, "prefixes": PREFIXES,
        "examples": [{"name": n, "description": d, "text": t} for n, d, t in examples],
    }
    return render_page("kg-query", title=title, data=config, connect="'self'",
                       scripts={"vis": vis_network_js(), "view": asset("view.js"), "query": asset("query.js")})


def term_from_json(t: dict | None):
    """An rdflib term from a SPARQL 1.1 JSON results term (None when unbound)."""
    if t is None:
        return None
    kind, value = t.get("type"), t.get("value")
    if not isinstance(value, str):
        raise QueryError("a result term has no string value")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    if kind in ("literal", "typed-literal"):
        lang, datatype = t.get("xml:lang"), t.get("datatype")
        return Literal(value, lang=lang) if lang else Literal(value, datatype=URIRef(datatype) if datatype else None)
    raise QueryError(f"unknown result term type {kind!r}")


def rows_from_request(payload) -> list[tuple]:
    """(s, p, o) rdflib triples from the page's request: {"rows": [[s, p, o], ...]} of SPARQL
    JSON terms, or {"ntriples": text} from a CONSTRUCT. Rows with an unbound or literal
    predicate are skipped."""
    if not isinstance(payload, dict):
        raise QueryError("expected a JSON object with rows or ntriples")
    if "ntriples" in payload:
        import pyoxigraph as ox

        from ..oxi import from_ox

        try:
            return [(from_ox(t.subject), from_ox(t.predicate), from_ox(t.object))
                    for t in ox.parse(str(payload["ntriples"]).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)]
        except SyntaxError as e:
            raise QueryError(f"the triples are not valid N-Triples: {str(e).splitlines()[0]}") from None
    rows = payload.get("rows")
    if not isinstance(rows, list):
        raise QueryError("expected rows: a list of [subject, predicate, object] result terms")
    out = []
    for row in rows:
        if not isinstance(row, list) or len(row) != 3:
            raise QueryError("each row must be [subject, predicate, object]")
        s, p, o = (term_from_json(t) for t in row)
        if s is not None and isinstance(p, URIRef) and o is not None:
            out.append((s, p, o))
    return out


def _sparql_term(t) -> str | None:
    """A term in SPARQL syntax for a VALUES block; None for blank nodes and IRIs that could
    not be written safely."""
    if isinstance(t, URIRef):
        return None if any(c in str(t) for c in '<>"{}|^`\\ \n\t') else f"<{t}>"
    if isinstance(t, Literal):
        return t.n3()
    return None


def describe_queries(rows: list[tuple]) -> list[str]:
    """The CONSTRUCT queries that fetch what the view needs to know about ``rows``."""
    nodes = sorted({x for s, _, o in rows for t in (s, o) if (x := _sparql_term(t)) and x.startswith("<")})
    pairs = set()
    sym = {str(r.iri) for r in relations().values() if r.symmetric}
    for s, p, o in rows:
        terms = [_sparql_term(x) for x in (s, p, o)]
        if None not in terms:
            pairs.add(f"({' '.join(terms)})")
            if str(p) in sym:
                pairs.add(f"({terms[2]} {terms[1]} {terms[0]})")
    pairs = sorted(pairs)
    return ([_DESCRIBE % " ".join(nodes[i:i + _BATCH]) for i in range(0, len(nodes), _BATCH)]
            + [_EVIDENCE % " ".join(pairs[i:i + _BATCH]) for i in range(0, len(pairs), _BATCH)])


def graph_for_rows(rows: list[tuple], construct: Callable[[str], Graph], *, lang: str = "ja") -> dict:
    """View data for query result rows; ``construct(query)`` runs a CONSTRUCT on the store."""
    rows = rows[:MAX_GRAPH_ROWS]
    g = Graph()
    for q in describe_queries(rows):
        g += construct(q)
    return rows_view_data(g, rows, lang=lang) | {"showOther": True}


def mount(app) -> None:
    """Add the SPARQL page (``/query``) and its graph route (``/query/graph``) to kg serve."""
    import pyoxigraph as ox

    from ..oxi import to_rdflib_graph
    from ..query import ready_queries
    from ..serve import Request, Response, text_response

    examples = [(q.name, q.description, q.text) for q in ready_queries().values()]
    page = query_page_html(title=f"{app.title} · SPARQL", examples=examples).encode("utf-8")

    def construct(query: str) -> Graph:
        r = app.endpoint.handle(Request("POST", "/sparql", {}, {"content-type": "application/sparql-query",
                                                                 "accept": "application/n-triples"}, query.encode("utf-8")))
        if r.status != 200:
            raise QueryError(r.body.decode("utf-8", "replace").strip())
        return to_rdflib_graph(ox.parse(r.body, format=ox.RdfFormat.N_TRIPLES))

    def page_route(request):
        return Response(200, page, "text/html; charset=utf-8")

    def graph_route(request):
        if request.method != "POST":
            return Response(405, b"POST the rows as JSON\n", headers={"Allow": "POST"})
        try:
            payload = json.loads(request.body.decode("utf-8"))
        except ValueError as e:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
            return text_response(400, f"the request is not UTF-8 JSON: {e}")
        try:
            data = graph_for_rows(rows_from_request(payload), construct)
        except QueryError as e:
            return text_response(400, str(e))
        return Response(200, json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json")

    app.mount("/query", page_route)
    app.mount("/query/graph", graph_route)


__all__ = ["describe_queries", "graph_for_rows", "mount", "query_page_html", "rows_from_request"]
