"""View stage: an interactive HTML view of a graph that works offline.

The view takes a graph (never a spaCy Doc): entities are nodes coloured by class, direct
relation triples are edges. pyvis renders it; every script is inlined and the CDN links pyvis
adds are removed, so the file makes no network request. Text from the input is escaped.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict

from rdflib import RDF, RDFS, Graph, URIRef

from ..vocab import KG, KG_NS, classes, relations

CLASS_COLOURS = {
    "Person": "#e4572e",
    "Organization": "#17bebb",
    "Company": "#2e86ab",
    "PoliticalOrganization": "#6a4c93",
    "Place": "#76b041",
    "Facility": "#8d6a9f",
    "Product": "#ffc914",
    "Work": "#f29e4c",
    "Event": "#c0504d",
    "Award": "#b8860b",
}

_EXTERNAL = re.compile(r"<(?:link|script)\b[^>]*(?:href|src)\s*=\s*\"(?:https?:|\.\./|//)[^\"]*\"[^>]*>(?:\s*</script>)?", re.S)


def _most_specific(types: set[str]) -> str | None:
    info = classes()
    best = None
    for t in sorted(types):
        if t in info and (best is None or best in _ancestors_of(t)):
            best = t
    return best


def _ancestors_of(cls: str) -> list[str]:
    info, out = classes(), []
    while cls is not None:
        out.append(cls)
        cls = info[cls].parent
    return out


def graph_elements(g: Graph) -> tuple[list[dict], list[dict]]:
    """Nodes (entities) and edges (direct relation triples) of a graph, in a stable order."""
    known_classes = set(classes())
    rels = relations()
    types: dict[URIRef, set[str]] = defaultdict(set)
    for s, o in g.subject_objects(RDF.type):
        if isinstance(o, URIRef) and str(o).startswith(KG_NS) and str(o)[len(KG_NS):] in known_classes:
            types[s].add(str(o)[len(KG_NS):])
    edges, degree = [], defaultdict(int)
    seen_sym = set()
    for s, p, o in g:
        name = str(p)[len(KG_NS):] if str(p).startswith(KG_NS) else None
        if name not in rels or s not in types or o not in types:
            continue
        if rels[name].symmetric:
            if str(s) > str(o):
                continue  # one edge per symmetric pair, always drawn the same way round
            pair = (name, str(s), str(o))
            if pair in seen_sym:
                continue
            seen_sym.add(pair)
        edges.append({"from": str(s), "to": str(o), "relation": name, "label": rels[name].label_en, "label_ja": rels[name].label_ja})
        degree[s] += 1
        degree[o] += 1
    nodes = []
    for e in sorted(types, key=str):
        cls = _most_specific(types[e])
        label = g.value(e, RDFS.label)
        nodes.append({"id": str(e), "label": str(label) if label is not None else str(e).rsplit("/", 1)[-1], "cls": cls, "degree": degree[e]})
    edges.sort(key=lambda x: (x["from"], x["relation"], x["to"]))
    return nodes, edges


def render_html(g: Graph, title: str = "kg graph") -> str:
    from pyvis.network import Network

    nodes, edges = graph_elements(g)
    net = Network(height="900px", width="100%", directed=True, cdn_resources="in_line", heading="")
    for n in nodes:
        net.add_node(
            n["id"], label=html.escape(n["label"]), title=html.escape(f"{n['label']} ({n['cls']})"),
            color=CLASS_COLOURS.get(n["cls"], "#999999"), size=10 + 4 * min(n["degree"], 10),
        )
    for e in edges:
        net.add_edge(e["from"], e["to"], label=e["label"], title=html.escape(e["label_ja"]), arrows="to")
    net.toggle_physics(True)
    page = net.generate_html()
    page = _EXTERNAL.sub("", page)
    return page.replace("<head>", f"<head>\n<title>{html.escape(title)}</title>", 1)


def write_html(g: Graph, path, title: str = "kg graph") -> None:
    from ..store_io import atomic_write_text

    atomic_write_text(path, render_html(g, title))
