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
from collections.abc import Iterable

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


def view_data(g: Graph, *, focus: str | None = None, hops: int = 1, max_nodes: int = 300,
              lang: str = "ja", title: str = "kg graph", mention_samples: int = 3) -> dict:
    """The data graph.html embeds: plain lists and dicts, deterministic for a given graph.

    ``focus`` (an IRI, prefixed name, label, alias or reading) keeps only the entities within
    ``hops`` edges of that entity. ``max_nodes`` is how many entities the page shows at first
    (the most connected); the rest come in when a neighbour is clicked or searched for.
    """
    known = set(classes())
    rels = relations()
    b = _Builder(g)

    # entities: subjects typed with a vocabulary class
    types: dict[URIRef, set[str]] = defaultdict(set)
    for s, o in g.subject_objects(RDF.type):
        name = _local(o)
        if isinstance(s, URIRef) and name in known:
            types[s].add(name)
    order = sorted(types, key=str)
    index = {e: i for i, e in enumerate(order)}

    # direct triples between entities, symmetric pairs once
    direct: dict[tuple, dict] = {}
    for s, p, o in g:
        name = _local(p)
        if name not in rels or s not in index or o not in index or s == o:
            continue
        key = _edge_key(index[s], name, index[o], rels[name].symmetric)
        direct.setdefault(key, {"f": key[0], "t": key[2], "r": name, "k": "asserted", "facts": [], "sym": rels[name].symmetric})

    # Statements -> facts; each joins its direct edge or an edge of its own kind
    facts, sources, other = [], [], {}
    for st in sorted(g.subjects(RDF.type, RDF.Statement), key=str):
        s, p, o = g.value(st, RDF.subject), g.value(st, RDF.predicate), g.value(st, RDF.object)
        name = _local(p)
        if s not in index or o not in index or name is None:
            continue
        sym = name in rels and rels[name].symmetric
        key = _edge_key(index[s], name, index[o], sym)
        negated = str(g.value(st, KG.negated)).lower() in ("true", "1")
        modality = g.value(st, KG.modality)
        kind = "negated" if negated else "hedged" if modality is not None else "asserted" if key in direct else "unasserted"
        fact = {"s": index[s], "o": index[o], "r": name, "k": kind}
        _put(fact, "mod", str(modality) if modality is not None else None)
        _put(fact, "c", _num(g, st, KG.confidence))
        _put(fact, "rule", _str(g.value(st, KG.rule)))
        _put(fact, "lemma", _str(g.value(st, KG.predicateLemma)))
        by = g.value(st, KG.attributedTo)
        _put(fact, "by", index.get(by, str(by) if by is not None else None))
        _put(fact, "b", _int(g, st, NIF.beginIndex))
        _put(fact, "e", _int(g, st, NIF.endIndex))
        sources.append((g.value(st, PROV.wasDerivedFrom), g.value(st, NIF.referenceContext)))
        fi = len(facts)
        facts.append(fact)
        if kind == "asserted":
            direct[key]["facts"].append(fi)
        else:
            edge = other.setdefault((*key, kind), {"f": key[0], "t": key[2], "r": name, "k": kind, "facts": [], "sym": sym})
            edge["facts"].append(fi)

    edges = [direct[k] for k in sorted(direct)] + [other[k] for k in sorted(other)]

    # mentions: documents each entity appears in, and a few sample sentences
    mentions: dict[URIRef, list] = defaultdict(list)
    for m, e in g.subject_objects(ITSRDF.taIdentRef):
        if e in index:
            mentions[e].append(m)

    focus_old = find_entity(g, focus, order) if focus is not None else None
    keep = neighbourhood(focus_old, edges, hops) if focus_old is not None else set(range(len(order)))
    remap = {old: new for new, old in enumerate(sorted(keep))}
    edges = [e for e in edges if e["f"] in remap and e["t"] in remap]
    used = sorted({i for e in edges for i in e["facts"]})
    fact_remap = {old: new for new, old in enumerate(used)}
    facts = [facts[i] for i in used]
    for f, (sentence, context) in zip(facts, [sources[i] for i in used]):
        f["s"], f["o"] = remap[f["s"]], remap[f["o"]]
        if isinstance(f.get("by"), int):
            f["by"] = remap[f["by"]] if f["by"] in remap else compact_iri(str(order[f["by"]]))
        _put(f, "sen", b.sentence(sentence))
        _put(f, "doc", b.sentences[f["sen"]][0] if "sen" in f else b.doc(context))
    degree = [0] * len(remap)
    for i, e in enumerate(edges):
        e["id"] = i
        e["f"], e["t"] = remap[e["f"]], remap[e["t"]]
        e["facts"] = [fact_remap[x] for x in e["facts"]]
        if not e["sym"]:
            del e["sym"]
        confs = [facts[x]["c"] for x in e["facts"] if "c" in facts[x]]
        _put(e, "c", max(confs) if confs else None)
        e["docs"] = sorted({facts[x]["doc"] for x in e["facts"] if facts[x].get("doc") is not None})
        if e["k"] == "asserted":
            degree[e["f"]] += 1
            degree[e["t"]] += 1
    fact_docs = defaultdict(set)
    for f in facts:
        if f.get("doc") is not None:
            fact_docs[f["s"]].add(f["doc"])
            fact_docs[f["o"]].add(f["doc"])
    entities = [
        _entity(g, b, order[old], types[order[old]], degree[new], mentions.get(order[old], []), fact_docs[new], mention_samples)
        for old, new in remap.items()
    ]

    present = sorted({ent["cls"] for ent in entities})
    info = classes()
    rel_names = sorted({e["r"] for e in edges})
    return {
        "title": title,
        "lang": lang if lang in ("ja", "en") else "ja",
        "maxNodes": max(1, int(max_nodes)),
        "focus": remap[focus_old] if focus_old is not None else None,
        "classes": {c: {"ja": info[c].label_ja, "en": info[c].label_en, "colour": CLASS_COLOURS.get(c, OTHER_COLOUR)} for c in present},
        "relations": {r: _relation_labels(r, rels) for r in rel_names},
        "docs": b.docs,
        "sentences": b.sentences,
        "entities": entities,
        "facts": facts,
        "edges": edges,
    }


def _edge_key(s: int, rel: str, o: int, symmetric: bool) -> tuple:
    if symmetric and o < s:
        s, o = o, s
    return (s, rel, o)


def _put(d: dict, key: str, value) -> None:
    if value is not None:
        d[key] = value


def _str(v) -> str | None:
    return str(v) if v is not None else None


def _relation_labels(name: str, rels) -> dict:
    if name in rels:
        return {"ja": rels[name].label_ja, "en": rels[name].label_en}
    labels = {o.language: str(o) for o in ontology().objects(URIRef(KG_NS + name), RDFS.label) if isinstance(o, Literal)}
    return {"ja": labels.get("ja", name), "en": labels.get("en", name)}


def _entity(g: Graph, b: _Builder, e: URIRef, types: set[str], degree: int, mentions: list, docs: set[int], samples: int) -> dict:
    label = g.value(e, RDFS.label)
    label = str(label) if label is not None else str(e).rsplit("/", 1)[-1]
    alt = sorted({str(a) for a in g.objects(e, SKOS.altLabel)} - {label})
    readings = sorted({str(r) for r in g.objects(e, KG.reading)})
    ent = {"iri": str(e), "q": compact_iri(str(e)), "label": label, "cls": _most_specific(types), "deg": degree}
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
