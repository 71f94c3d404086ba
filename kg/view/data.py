"""A graph as the plain data the browser view draws: entities, edges, facts, sentences.

Everything here is computed once in Python so the page only filters and draws. Entities are the
subjects typed with a class of the vocabulary; edges are the direct relation triples between
them (symmetric pairs once) plus, for each Statement without a direct triple, an edge of its
kind (negated, hedged, or unasserted — e.g. ``kg:related``) that the page hides by default.
Facts are the Statements with their evidence: the source sentence and the evidence offsets.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from ..errors import InputError
from ..vocab import ITSRDF, KG, KG_NS, NIF, PREFIXES, PROV, WD, ancestors, classes, ontology, relations

CLASS_COLOURS = {
    "Person": "#e4572e",
    "Organization": "#17bebb",
    "Company": "#2e86ab",
    "PoliticalOrganization": "#6a4c93",
    "Place": "#76b041",
    "Facility": "#8d6a9f",
    "Product": "#e0a800",
    "Work": "#f29e4c",
    "Event": "#c0504d",
    "Award": "#b8860b",
}
OTHER_COLOUR = "#9e9e9e"

# Edge kinds, in the order a Statement is classified: a negated occurrence is "negated" even
# when it also has a modality. "asserted" edges are direct triples; the others are Statements
# the graph does not assert and the page hides until asked.
EDGE_KINDS = ("asserted", "negated", "hedged", "unasserted")

_QID = re.compile(r"^Q[1-9][0-9]*$")
_SEARCH_DROP = re.compile(r"[\s・·=＝\u30fb]+")


def search_key(text: str) -> str:
    """The form search compares: NFKC, hiragana as katakana, lower case, no spaces or ・.

    view.js ``searchKey`` does the same in the page, so あるとまん finds アルトマン.
    """
    t = unicodedata.normalize("NFKC", text)
    t = "".join(chr(ord(c) + 0x60) if "\u3041" <= c <= "\u3096" else c for c in t)
    return _SEARCH_DROP.sub("", t.lower())


def compact_iri(iri: str) -> str:
    """``person:サム・アルトマン`` for an IRI under a known prefix, else the IRI itself."""
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(PREFIXES.get(best, "")):
            best = prefix
    return f"{best}:{iri[len(PREFIXES[best]):]}" if best else iri


def _local(term) -> str | None:
    s = str(term)
    return s[len(KG_NS):] if s.startswith(KG_NS) else None


def _most_specific(types: set[str]) -> str:
    """The deepest class of ``types`` (Company over Organization); ties broken by name."""
    return max(sorted(types), key=lambda c: len(ancestors(c)))


def _num(g: Graph, s, p) -> float | None:
    v = g.value(s, p)
    try:
        return float(v) if v is not None else None
    except (TypeError, ValueError):
        return None


def _int(g: Graph, s, p) -> int | None:
    v = _num(g, s, p)
    return int(v) if v is not None else None


def _qid(g: Graph, e) -> str | None:
    for p in (KG.wikidata, OWL.sameAs):
        for o in sorted(g.objects(e, p)):
            s = str(o)
            if s.startswith(str(WD)) and _QID.match(s[len(str(WD)):]):
                return s[len(str(WD)):]
    return None


class _Lookup:
    """A graph read once into {predicate: {subject: [objects]}}: rdflib's per-call lookups
    (value, objects) for thousands of nodes cost more than one pass over all the triples."""

    def __init__(self, g: Graph):
        self.g = g
        self._by: dict = defaultdict(lambda: defaultdict(list))
        for s, p, o in g:
            self._by[p][s].append(o)

    def value(self, s, p):
        found = self._by[p].get(s) if p in self._by else None
        return None if not found else found[0] if len(found) == 1 else min(found, key=str)

    def objects(self, s, p):
        return iter(self._by[p].get(s, ()) if p in self._by else ())

    def subject_objects(self, p):
        return ((s, o) for s, objects in (self._by[p].items() if p in self._by else ()) for o in objects)

    def subjects(self, p, o):
        return (s for s, objects in (self._by[p].items() if p in self._by else ()) if o in objects)

    def predicates(self):
        return list(self._by)

    def __contains__(self, triple) -> bool:
        return triple in self.g


class _Builder:
    """Collects the view data of one graph; see ``view_data``."""

    def __init__(self, g: Graph):
        self.g = g
        self.docs: list[str] = []
        self._doc_index: dict = {}
        self.sentences: list[list] = []
        self._sentence_index: dict = {}

    def doc(self, context) -> int | None:
        if context is None:
            return None
        if context not in self._doc_index:
            ident = self.g.value(context, DCTERMS.identifier)
            self._doc_index[context] = len(self.docs)
            self.docs.append(str(ident) if ident is not None else str(context))
        return self._doc_index[context]

    def sentence(self, s) -> int | None:
        """Index of sentence ``s`` as [doc, begin, text]; None when the graph lacks its text."""
        if s is None:
            return None
        if s not in self._sentence_index:
            g = self.g
            context = g.value(s, NIF.referenceContext)
            begin = _int(g, s, NIF.beginIndex)
            text = g.value(s, NIF.anchorOf)
            if text is None and context is not None and begin is not None:
                whole, end = g.value(context, NIF.isString), _int(g, s, NIF.endIndex)
                text = str(whole)[begin:end] if whole is not None and end is not None else None
            if text is None:
                self._sentence_index[s] = None
            else:
                self._sentence_index[s] = len(self.sentences)
                self.sentences.append([self.doc(context), begin or 0, str(text)])
        return self._sentence_index[s]


def _kg_types(g: Graph, nodes=None) -> dict:
    """{node: set of vocabulary class names} for the typed nodes (of ``nodes`` when given)."""
    known = set(classes())
    types: dict = defaultdict(set)
    for s, o in g.subject_objects(RDF.type):
        name = _local(o)
        if name in known and (isinstance(s, URIRef) if nodes is None else s in nodes):
            types[s].add(name)
    return types


def _statement_facts(g: Graph, index: dict, key_of) -> Iterator[tuple]:
    """(edge key, fact, (sentence, context)) for each Statement between nodes of ``index``;
    ``key_of(s, name, o)`` gives the edge key of its triple, or None to skip it."""
    for st in sorted(g.subjects(RDF.type, RDF.Statement), key=str):
        s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
        if s not in index or o not in index or p is None:
            continue
        name = _relation_name(p)
        key = key_of(index[s], name, index[o])
        if key is None:
            continue
        negated = str(g.value(st, KG.negated)).lower() in ("true", "1")
        modality = g.value(st, KG.modality)
        fact = {"s": index[s], "o": index[o], "r": name, "k": "negated" if negated else "hedged" if modality is not None else "asserted"}
        _put(fact, "mod", str(modality) if modality is not None else None)
        _put(fact, "c", _num(g, st, KG.confidence))
        _put(fact, "rule", _str(g.value(st, KG.rule)))
        _put(fact, "lemma", _str(g.value(st, KG.predicateLemma)))
        _put(fact, "by", g.value(st, KG.attributedTo))  # a node; numbered by _assemble
        _put(fact, "b", _int(g, st, NIF.beginIndex))
        _put(fact, "e", _int(g, st, NIF.endIndex))
        yield key, fact, (g.value(st, PROV.wasDerivedFrom), g.value(st, NIF.referenceContext))


def view_data(g: Graph, *, focus: str | None = None, hops: int = 1, max_nodes: int = 300,
              lang: str = "ja", mention_samples: int = 3) -> dict:
    """The data graph.html embeds: plain lists and dicts, deterministic for a given graph.

    Nodes are the entities (subjects typed with a vocabulary class); edges the direct relation
    triples between them, plus one edge per kind for Statements without a direct triple.
    ``focus`` (an IRI, prefixed name, label, alias or reading) keeps only the entities within
    ``hops`` edges of that entity. ``max_nodes`` is how many entities the page shows at first
    (the most connected); the rest come in when a neighbour is clicked or searched for.
    """
    g = _Lookup(g)
    rels = relations()
    types = _kg_types(g)
    order = sorted(types, key=str)
    index = {e: i for i, e in enumerate(order)}

    # direct triples between entities, symmetric pairs once
    direct: dict[tuple, dict] = {}
    for p in g.predicates():
        name = _local(p)
        if name in rels:
            for s, o in g.subject_objects(p):
                if s in index and o in index and s != o:
                    key = _edge_key(index[s], name, index[o])
                    direct.setdefault(key, _edge(key, "asserted"))

    # Statements: each joins its direct edge, or an edge of its own kind (a Statement that is
    # neither negated nor hedged but has no direct triple, e.g. kg:related, is "unasserted")
    facts, sources, other = [], [], {}
    for key, fact, source in _statement_facts(g, index, _edge_key):
        if fact["k"] == "asserted" and key not in direct:
            fact["k"] = "unasserted"
        edge = direct[key] if fact["k"] == "asserted" else other.setdefault((*key, fact["k"]), _edge(key, fact["k"]))
        edge["facts"].append(len(facts))
        facts.append(fact)
        sources.append(source)
    edges = [direct[k] for k in sorted(direct)] + [other[k] for k in sorted(other)]

    focus_at = find_entity(g, focus, order) if focus is not None else None
    keep = sorted(neighbourhood(focus_at, edges, hops)) if focus_at is not None else list(range(len(order)))
    data = _assemble(g, [order[i] for i in keep], types, {old: new for new, old in enumerate(keep)}, edges, facts, sources, mention_samples)
    data.update(lang=lang if lang in ("ja", "en") else "ja", maxNodes=max(1, int(max_nodes)),
                focus=keep.index(focus_at) if focus_at is not None else None)
    return data


def rows_view_data(g: Graph, rows: Iterable[tuple], *, lang: str = "ja", max_nodes: int = 300) -> dict:
    """View data for the (subject, predicate, object) rows of a query, with ``g`` holding what
    is known about them (types, labels, Statements with their sentences, and which rows are
    direct triples). Every row is an edge and every term a node; a row that is not a direct
    triple of ``g`` takes the kind of its Statements (negated, hedged)."""
    g = _Lookup(g)
    rows = sorted({(s, p, o) for s, p, o in rows if p is not None}, key=lambda t: tuple(map(str, t)))
    order = sorted({t for s, _, o in rows for t in (s, o)}, key=lambda t: (type(t).__name__, str(t)))
    index = {t: i for i, t in enumerate(order)}
    edges = {}
    for s, p, o in rows:
        key = _edge_key(index[s], _relation_name(p), index[o])
        edges.setdefault(key, _edge(key, "asserted", in_graph=(s, p, o) in g))
    facts, sources = [], []
    for key, fact, source in _statement_facts(g, index, lambda s, name, o: _edge_key(s, name, o) if _edge_key(s, name, o) in edges else None):
        edge = edges[key]
        if fact["k"] == "asserted" and not edge["in_graph"]:
            fact["k"] = "unasserted"
        edge["facts"].append(len(facts))
        facts.append(fact)
        sources.append(source)
    for e in edges.values():
        kinds = {facts[i]["k"] for i in e["facts"]}
        if not e.pop("in_graph") and kinds:  # a result that is not a direct triple: its Statements say why
            e["k"] = min(kinds - {"asserted"} or {"unasserted"}, key=EDGE_KINDS.index)
    data = _assemble(g, order, _kg_types(g, set(order)), {i: i for i in range(len(order))},
                     [edges[k] for k in sorted(edges)], facts, sources, 0)
    data.update(lang=lang if lang in ("ja", "en") else "ja", maxNodes=max(1, int(max_nodes)), focus=None)
    return data


def _assemble(g: Graph, nodes: list, types: dict, remap: dict, edges: list[dict], facts: list[dict], sources: list, samples: int) -> dict:
    """The final data: edges and facts between the kept nodes renumbered (``remap`` maps old
    node numbers to new ones), degrees, documents and sentences, class and relation labels."""
    b = _Builder(g)
    position = {n: i for i, n in enumerate(nodes)}
    edges = [e for e in edges if e["f"] in remap and e["t"] in remap]
    used = sorted({i for e in edges for i in e["facts"]})
    fact_remap = {old: new for new, old in enumerate(used)}
    kept = []
    for i in used:
        f, (sentence, context) = facts[i], sources[i]
        f["s"], f["o"] = remap[f["s"]], remap[f["o"]]
        if "by" in f:  # the speaker as a node of the view, else by name
            f["by"] = position.get(f["by"], compact_iri(str(f["by"])))
        _put(f, "sen", b.sentence(sentence))
        _put(f, "doc", b.sentences[f["sen"]][0] if "sen" in f else b.doc(context))
        kept.append(f)
    degree = [0] * len(nodes)
    for i, e in enumerate(edges):
        e["id"] = i
        e["f"], e["t"] = remap[e["f"]], remap[e["t"]]
        e["facts"] = [fact_remap[x] for x in e["facts"]]
        if not e["sym"]:
            del e["sym"]
        confs = [kept[x]["c"] for x in e["facts"] if "c" in kept[x]]
        _put(e, "c", max(confs) if confs else None)
        e["docs"] = sorted({kept[x]["doc"] for x in e["facts"] if kept[x].get("doc") is not None})
        if e["k"] == "asserted":
            degree[e["f"]] += 1
            degree[e["t"]] += 1
    fact_docs = defaultdict(set)
    for f in kept:
        if f.get("doc") is not None:
            fact_docs[f["s"]].add(f["doc"])
            fact_docs[f["o"]].add(f["doc"])
    mentions: dict = defaultdict(list)
    if samples:
        wanted = set(nodes)
        for m, e in g.subject_objects(ITSRDF.taIdentRef):
            if e in wanted:
                mentions[e].append(m)
    entities = [_entity(g, b, n, types.get(n, set()), degree[i], mentions.get(n, []), fact_docs[i], samples) for i, n in enumerate(nodes)]
    info = classes()
    present = sorted({e["cls"] for e in entities})
    return {
        "classes": {c: {"ja": info[c].label_ja, "en": info[c].label_en, "colour": CLASS_COLOURS.get(c, OTHER_COLOUR)} if c else
                    {"ja": "その他", "en": "other", "colour": OTHER_COLOUR} for c in present},
        "relations": {r: _relation_labels(r) for r in sorted({e["r"] for e in edges})},
        "docs": b.docs,
        "sentences": b.sentences,
        "entities": entities,
        "facts": kept,
        "edges": edges,
    }


def _relation_name(p) -> str:
    """A vocabulary term's local name (``worksFor``), else the predicate's prefixed name."""
    return _local(p) or compact_iri(str(p))


def _edge_key(s: int, rel: str, o: int) -> tuple:
    info = relations().get(rel)
    if info is not None and info.symmetric and o < s:
        s, o = o, s
    return (s, rel, o)


def _edge(key: tuple, kind: str, **extra) -> dict:
    info = relations().get(key[1])
    return {"f": key[0], "t": key[2], "r": key[1], "k": kind, "facts": [], "sym": bool(info and info.symmetric), **extra}


def _put(d: dict, key: str, value) -> None:
    if value is not None:
        d[key] = value


def _str(v) -> str | None:
    return str(v) if v is not None else None


def _relation_labels(name: str) -> dict:
    rels = relations()
    if name in rels:
        return {"ja": rels[name].label_ja, "en": rels[name].label_en}
    labels = {o.language: str(o) for o in ontology().objects(URIRef(KG_NS + name), RDFS.label) if isinstance(o, Literal)}
    return {"ja": labels.get("ja", name), "en": labels.get("en", name)}


def _entity(g: Graph, b: _Builder, e, types: set[str], degree: int, mentions: list, docs: set[int], samples: int) -> dict:
    """One node: an entity with its names, class, Wikidata id and sample mentions; or, in
    query results, any other term (an untyped IRI, a literal) with cls ""."""
    if isinstance(e, Literal):
        text = str(e)
        return {"iri": e.n3(), "q": e.n3(), "label": text if len(text) <= 40 else text[:39] + "…", "cls": "", "deg": degree,
                "men": 0, "docs": sorted(docs)}
    label = g.value(e, RDFS.label)
    label = str(label) if label is not None else re.split(r"[/#:]", str(e).rstrip("/#"))[-1] or str(e)
    alt = sorted({str(a) for a in g.objects(e, SKOS.altLabel)} - {label})
    readings = sorted({str(r) for r in g.objects(e, KG.reading)})
    ent = {"iri": str(e), "q": compact_iri(str(e)), "label": label, "cls": _most_specific(types) if types else "", "deg": degree}
    if alt:
        ent["alt"] = alt
    if readings:
        ent["read"] = readings
    _put(ent, "wd", _qid(g, e))
    count = _int(g, e, KG.mentionCount)
    ent["men"] = count if count is not None else len(mentions)
    docs, shown = set(docs), []
    spans = sorted((_int(g, m, NIF.beginIndex) or 0, str(m), m) for m in mentions)
    for begin, _, m in spans:
        doc = b.doc(g.value(m, NIF.referenceContext))
        if doc is not None:
            docs.add(doc)
        if len(shown) < samples:
            sent = b.sentence(g.value(m, NIF.sentence))
            end = _int(g, m, NIF.endIndex)
            if sent is not None and end is not None and all(x[0] != sent for x in shown):
                shown.append([sent, begin, end])
    ent["docs"] = sorted(docs)
    if shown:
        ent["ms"] = shown
    return ent


def neighbourhood(start: int, edges: Iterable[dict], hops: int) -> set[int]:
    """Entities within ``hops`` edges (of any kind, either direction) of ``start``."""
    adj = defaultdict(set)
    for e in edges:
        adj[e["f"]].add(e["t"])
        adj[e["t"]].add(e["f"])
    seen, queue = {start}, deque([(start, 0)])
    while queue:
        node, d = queue.popleft()
        if d >= hops:
            continue
        for n in sorted(adj[node]):
            if n not in seen:
                seen.add(n)
                queue.append((n, d + 1))
    return seen


def find_entity(g: Graph, query: str, entities: list[URIRef]) -> int:
    """Index in ``entities`` of the one entity ``query`` names: its IRI, prefixed name
    (``person:サム・アルトマン``), or a label, alias or reading (compared as search does)."""
    for i, e in enumerate(entities):
        if query in (str(e), compact_iri(str(e))):
            return i
    key = search_key(query)
    hits = []
    for i, e in enumerate(entities):
        names = [*g.objects(e, RDFS.label), *g.objects(e, SKOS.altLabel), *g.objects(e, KG.reading)]
        if key and any(search_key(str(n)) == key for n in names):
            hits.append(i)
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise InputError(f"--focus {query!r}: no entity has this IRI, label, alias or reading; "
                         "run kg view without --focus and use the search box to find its name")
    names = ", ".join(compact_iri(str(entities[i])) for i in hits[:5])
    raise InputError(f"--focus {query!r} names {len(hits)} entities ({names}); give one of these instead")
