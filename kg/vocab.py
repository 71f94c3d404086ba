"""The project vocabulary, read from ontologies/kg.ttl: the one source of class and relation names.

``KG`` is a closed namespace: ``KG.worksFor`` works, ``KG.worksFr`` raises, so code and ontology
cannot drift. ``classes()`` and ``relations()`` give the metadata the pipeline needs (class
hierarchy, domain and range, symmetry, labels in ja and en, Wikidata mappings).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import ClosedNamespace

KG_NS = "https://w3id.org/kg-ja/ns#"
ID_NS = "https://w3id.org/kg-ja/id/"

NIF = Namespace("http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#")
ITSRDF = Namespace("http://www.w3.org/2005/11/its/rdf#")
PROV = Namespace("http://www.w3.org/ns/prov#")
WD = Namespace("http://www.wikidata.org/entity/")
SCHEMA = Namespace("http://schema.org/")

ENTITY_NS = ID_NS + "entity/"

# Entity IRIs are ENTITY_NS + TopClass + "/" + name; one prefix per top class keeps Turtle readable
# (person:サム・アルトマン). Documents, sentences and mentions are written as full IRIs.
ENTITY_PREFIXES: dict[str, str] = {
    "person": ENTITY_NS + "Person/",
    "org": ENTITY_NS + "Organization/",
    "place": ENTITY_NS + "Place/",
    "facility": ENTITY_NS + "Facility/",
    "product": ENTITY_NS + "Product/",
    "event": ENTITY_NS + "Event/",
    "award": ENTITY_NS + "Award/",
}

PREFIXES: dict[str, str] = {
    "kg": KG_NS,
    **ENTITY_PREFIXES,
    "nif": str(NIF),
    "itsrdf": str(ITSRDF),
    "prov": str(PROV),
    "wd": str(WD),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "schema": str(SCHEMA),
}


def resource_path(package: str, name: str):
    """A file shipped with the package (``kg.ontologies``, ``kg.queries``...)."""
    return resources.files(package).joinpath(name)


@lru_cache(maxsize=1)
def ontology() -> Graph:
    g = Graph()
    with resource_path("kg.ontologies", "kg.ttl").open("rb") as f:
        g.parse(f, format="turtle")
    return g


def _local(term: URIRef) -> str:
    return str(term)[len(KG_NS):]


@lru_cache(maxsize=1)
def _terms() -> tuple[str, ...]:
    g = ontology()
    return tuple(sorted({_local(s) for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(KG_NS)}))


KG = ClosedNamespace(KG_NS, list(_terms()))


@dataclass(frozen=True)
class ClassInfo:
    name: str
    parent: str | None
    label_en: str
    label_ja: str
    wikidata: str | None
    stockmark_type: str | None
    jacred_type: str | None

    @property
    def iri(self) -> URIRef:
        return KG[self.name]


@dataclass(frozen=True)
class RelationInfo:
    name: str
    domain: frozenset[str]
    range: frozenset[str]
    symmetric: bool
    label_en: str
    label_ja: str
    wikidata: str | None
    wikidata_inverse: str | None
    jacred: str | None
    cues: tuple[str, ...]

    @property
    def iri(self) -> URIRef:
        return KG[self.name]


def _label(g: Graph, s: URIRef, lang: str) -> str:
    for o in g.objects(s, RDFS.label):
        if isinstance(o, Literal) and o.language == lang:
            return str(o)
    return _local(s)


def _opt(g: Graph, s: URIRef, p: URIRef) -> str | None:
    o = g.value(s, p)
    if o is None:
        return None
    return str(o).rsplit("/", 1)[-1] if isinstance(o, URIRef) else str(o)


def _class_set(g: Graph, node) -> frozenset[str]:
    if isinstance(node, URIRef):
        return frozenset({_local(node)})
    members = g.value(node, OWL.unionOf)
    return frozenset(_local(m) for m in Collection(g, members))


@lru_cache(maxsize=1)
def classes() -> dict[str, ClassInfo]:
    g = ontology()
    out = {}
    for s in g.subjects(RDF.type, OWL.Class):
        if not isinstance(s, URIRef) or not str(s).startswith(KG_NS) or s == KG.Rule:
            continue
        parent = g.value(s, RDFS.subClassOf)
        out[_local(s)] = ClassInfo(
            name=_local(s),
            parent=_local(parent) if parent is not None else None,
            label_en=_label(g, s, "en"),
            label_ja=_label(g, s, "ja"),
            wikidata=_opt(g, s, KG.wikidata),
            stockmark_type=_opt(g, s, KG.stockmarkType),
            jacred_type=_opt(g, s, KG.jacredType),
        )
    return dict(sorted(out.items()))


@lru_cache(maxsize=1)
def relations() -> dict[str, RelationInfo]:
    """Every named relation of the vocabulary (not kg:related, which only Statements use)."""
    g = ontology()
    out = {}
    for s in g.subjects(RDF.type, OWL.ObjectProperty):
        if not str(s).startswith(KG_NS) or g.value(s, RDFS.domain) is None or s in (KG.related, KG.attributedTo):
            continue
        out[_local(s)] = RelationInfo(
            name=_local(s),
            domain=_class_set(g, g.value(s, RDFS.domain)),
            range=_class_set(g, g.value(s, RDFS.range)),
            symmetric=(s, RDF.type, OWL.SymmetricProperty) in g,
            label_en=_label(g, s, "en"),
            label_ja=_label(g, s, "ja"),
            wikidata=_opt(g, s, KG.wikidata),
            wikidata_inverse=_opt(g, s, KG.wikidataInverse),
            jacred=_opt(g, s, KG.jacredMapping),
            cues=tuple(sorted(str(o) for o in g.objects(s, KG.japaneseCue))),
        )
    return dict(sorted(out.items()))


def ancestors(cls: str) -> list[str]:
    """``cls`` and its superclasses, most specific first (Company -> [Company, Organization])."""
    info = classes()
    chain = []
    while cls is not None:
        chain.append(cls)
        cls = info[cls].parent
    return chain


def top_class(cls: str) -> str:
    return ancestors(cls)[-1]


def is_a(cls: str, allowed) -> bool:
    """True when ``cls`` or one of its superclasses is in ``allowed``."""
    return any(c in allowed for c in ancestors(cls))


def compatible(a: str, b: str) -> bool:
    """Two classes may name the same entity when one is the other or an ancestor of it."""
    return a in ancestors(b) or b in ancestors(a)
