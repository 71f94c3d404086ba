"""Graph analysis with networkx: counts, central entities, components, chains of facts.

The entity graph has one node per entity (its IRI, with ``label`` and ``cls``) and one edge
per direct fact (``relation`` IRI, ``label`` the relation's English label, ``statements`` how
many extraction occurrences back it). Everything is read from a pyoxigraph store with SPARQL.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyoxigraph as ox

from .query import find_entities, resolve_entity, shorten
from .vocab import ENTITY_NS, KG_NS, PREFIXES, classes, relations


def _select(store: ox.Store, text: str):
    return store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)


def _relation_values() -> str:
    return " ".join(f"<{r.iri}>" for r in relations().values())


def _most_specific(types: set[str]) -> str:
    info = classes()
    best = None
    for t in sorted(types):
        depth = 0
        c = t
        while info[c].parent is not None:
            depth, c = depth + 1, info[c].parent
        if best is None or depth > best[0]:
            best = (depth, t)
    return best[1] if best else ""


def entity_graph(store: ox.Store):
    """The entity graph of ``store`` as a networkx MultiDiGraph (see the module docstring)."""
    import networkx as nx

    known = set(classes())
    g = nx.MultiDiGraph()
    types: dict[str, set[str]] = {}
    labels: dict[str, str] = {}
    for sol in _select(store, f"""
            SELECT DISTINCT ?e ?c ?label WHERE {{
                ?e a ?c . FILTER(STRSTARTS(STR(?e), "{ENTITY_NS}") && STRSTARTS(STR(?c), "{KG_NS}"))
                OPTIONAL {{ ?e rdfs:label ?label }}
            }}"""):
        e = sol["e"].value
        c = sol["c"].value[len(KG_NS):]
        if c in known:
            types.setdefault(e, set()).add(c)
        if sol["label"] is not None:
            labels[e] = sol["label"].value
    for e in sorted(types):
        g.add_node(e, label=labels.get(e, shorten(e)), cls=_most_specific(types[e]))
    rels = relations()
    backing: Counter = Counter()
    for sol in _select(store, f"""
            SELECT ?s ?p ?o (COUNT(DISTINCT ?st) AS ?n) WHERE {{
                VALUES ?p {{ {_relation_values()} }}
                ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
                FILTER NOT EXISTS {{ ?st kg:negated true }} FILTER NOT EXISTS {{ ?st kg:modality ?m }}
            }} GROUP BY ?s ?p ?o"""):
        backing[(sol["s"].value, sol["p"].value, sol["o"].value)] = int(sol["n"].value)
    for sol in _select(store, f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {_relation_values()} }} ?s ?p ?o }}"):
        s, p, o = sol["s"].value, sol["p"].value, sol["o"].value
        info = rels[p[len(KG_NS):]]
        n = backing[(s, p, o)] + (backing[(o, p, s)] if info.symmetric else 0)
        for node in (s, o):
            if node not in g:
                g.add_node(node, label=labels.get(node, shorten(node)), cls="")
        g.add_edge(s, o, key=info.name, relation=p, label=info.label_en, statements=n)
    return g


# ---------------------------------------------------------------- stats


@dataclass
class Stats:
    quads: int = 0
    graphs: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    entities_by_class: dict[str, int] = field(default_factory=dict)
    facts_by_relation: dict[str, int] = field(default_factory=dict)
    modality: dict[str, int] = field(default_factory=dict)
    top_degree: list[tuple[str, str, int]] = field(default_factory=list)
    top_pagerank: list[tuple[str, str, float]] = field(default_factory=list)
    components: int = 0
    component_sizes: list[int] = field(default_factory=list)
    isolated: int = 0

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


_COUNTS = {
    "documents": "?x a nif:Context",
    "sentences": "?x a nif:Sentence",
    "mentions": "?x a nif:Phrase",
    "statements": "?x a rdf:Statement",
    "negated statements": "?x kg:negated true",
    "hedged statements": "?x kg:modality ?m",
    "attributed statements": "?x kg:attributedTo ?a",
    "unmapped (kg:related) statements": "?x rdf:predicate kg:related",
}


def stats(store: ox.Store, top: int = 10) -> Stats:
    import networkx as nx

    st = Stats(quads=len(store), graphs=sum(1 for _ in store.named_graphs()))
    for name, pattern in _COUNTS.items():
        (sol,) = list(_select(store, f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ {pattern} }}"))
        st.counts[name] = int(sol["n"].value)
    for sol in _select(store, "SELECT ?m (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x kg:modality ?m } GROUP BY ?m ORDER BY ?m"):
        st.modality[sol["m"].value] = int(sol["n"].value)
    g = entity_graph(store)
    st.counts["entities"] = g.number_of_nodes()
    st.counts["direct facts"] = g.number_of_edges()
    st.entities_by_class = dict(sorted(Counter(d["cls"] for _, d in g.nodes(data=True)).items(), key=lambda kv: (-kv[1], kv[0])))
    st.facts_by_relation = dict(sorted(Counter(k for _, _, k in g.edges(keys=True)).items(), key=lambda kv: (-kv[1], kv[0])))
    simple = nx.Graph(g.to_undirected())
    degree = fact_degree(g)
    st.top_degree = [(n, g.nodes[n]["label"], d) for n, d in sorted(degree.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    if g.number_of_nodes():
        directed = nx.DiGraph()
        directed.add_nodes_from(g.nodes)
        for s, o, d in g.edges(data=True):
            w = directed.get_edge_data(s, o, {"weight": 0})["weight"]
            directed.add_edge(s, o, weight=w + 1)
        pr = nx.pagerank(directed, weight="weight")
        st.top_pagerank = [(n, g.nodes[n]["label"], round(v, 6)) for n, v in sorted(pr.items(), key=lambda kv: (-kv[1], kv[0]))[:top]]
    comps = sorted((len(c) for c in nx.connected_components(simple)), reverse=True)
    st.components = len(comps)
    st.component_sizes = comps[:top]
    st.isolated = sum(1 for d in degree.values() if d == 0)
    return st


def fact_degree(g) -> dict[str, int]:
    """Per entity, the distinct (relation, other entity) pairs of its direct facts, either
    direction (a symmetric fact counts once): the degree of the entities-by-degree query."""
    pairs: dict[str, set] = {n: set() for n in g.nodes}
    for s, o, key in g.edges(keys=True):
        pairs[s].add((key, o))
        pairs[o].add((key, s))
    return {n: len(p) for n, p in pairs.items()}


def unmapped(store: ox.Store) -> list[tuple[str, int, str]]:
    """kg:related Statements grouped by predicate lemma: (lemma, count, an example evidence)."""
    from .query import run

    res = run(store, "unmapped")
    return [(r["lemma"].value, int(r["count"].value), r["example"].value if r["example"] is not None else "") for r in res.rows]


# ---------------------------------------------------------------- paths


@dataclass(frozen=True)
class Hop:
    subject: str
    relation: str
    object: str
    subject_label: str
    object_label: str
    sentence: str
    document: str


def entity_node(store: ox.Store, g, text: str) -> str:
    """The node for ``text`` (label, alias or IRI) in the entity graph."""
    found = [n.value for n in find_entities(store, text) if n.value in g]
    if len(found) == 1:
        return found[0]
    return resolve_entity(store, text).value  # raises with the right message for 0 or many


def shortest_chains(store: ox.Store, a: str, b: str, max_paths: int = 5) -> list[list[Hop]]:
    """The shortest chains of direct facts linking entities ``a`` and ``b`` (either direction),
    each hop with a sentence that states it. Empty when they are not connected."""
    import networkx as nx

    g = entity_graph(store)
    src, dst = entity_node(store, g, a), entity_node(store, g, b)
    for node, text in ((src, a), (dst, b)):
        if node not in g:
            return []
    simple = nx.Graph(g.to_undirected())
    try:
        paths = []
        for p in nx.all_shortest_paths(simple, src, dst):
            paths.append(p)
            if len(paths) >= max_paths:
                break
    except nx.NetworkXNoPath:
        return []
    chains = []
    for path in sorted(paths):
        hops = []
        for x, y in zip(path, path[1:]):
            for s, o in ((x, y), (y, x)):
                for key, data in sorted((g.get_edge_data(s, o) or {}).items()):
                    sentence, document = _evidence(store, s, data["relation"], o)
                    hops.append(Hop(s, data["relation"], o, g.nodes[s]["label"], g.nodes[o]["label"], sentence, document))
        chains.append(hops)
    return chains


def _evidence(store: ox.Store, s: str, p: str, o: str) -> tuple[str, str]:
    sols = list(_select(store, f"""
        SELECT ?sentence ?document WHERE {{
            {{ ?st rdf:subject <{s}> ; rdf:object <{o}> }} UNION {{ ?st rdf:subject <{o}> ; rdf:object <{s}> }}
            ?st rdf:predicate <{p}> ; prov:wasDerivedFrom ?sent ; nif:referenceContext ?ctx .
            FILTER NOT EXISTS {{ ?st kg:negated true }} FILTER NOT EXISTS {{ ?st kg:modality ?m }}
            ?sent nif:anchorOf ?sentence . ?ctx dcterms:identifier ?document .
        }} ORDER BY ?document ?sentence LIMIT 1"""))
    if not sols:
        return "", ""
    return sols[0]["sentence"].value, sols[0]["document"].value
