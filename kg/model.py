"""The small frozen records that travel between pipeline stages.

From the graph stage on only these (and rdflib/pyoxigraph terms) are passed around: spaCy
objects never leave the NLP stages (parse, mentions, entities, relations). All offsets are
Unicode code-point offsets into ``Document.text``, end exclusive.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Document:
    """One input text. ``id`` is its ``dcterms:identifier`` (file name, relative path or JSONL id)."""

    id: str
    text: str
    source: str = ""  # where it came from, for messages: a path, or path:line for JSONL


@dataclass(frozen=True)
class Sentence:
    begin: int
    end: int


@dataclass(frozen=True)
class Mention:
    """A span of text that names an entity. ``entity`` is the document-local entity key."""

    begin: int
    end: int
    text: str
    entity: str
    sentence: int  # index into DocExtraction.sentences


@dataclass(frozen=True)
class Entity:
    """A document-local entity: the mentions of one real-world thing within one document.

    ``key`` is unique within the document. ``cls`` is a class local name of ontologies/kg.ttl.
    ``names`` are the normalised surface forms (honorifics and corporate affixes stripped),
    ``label`` the preferred one. ``wikidata`` is a QID when the gazetteer knows it.
    """

    key: str
    cls: str
    label: str
    names: tuple[str, ...]
    wikidata: str | None = None
    gazetteer_id: str | None = None
    readings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fact:
    """One extraction occurrence of a relation between two document-local entities.

    ``relation`` is a relation local name of ontologies/kg.ttl, or ``"related"`` for a predicate
    no rule maps (then ``lemma`` says which). ``begin``/``end`` delimit the evidence span.
    A fact with ``negated`` or a ``modality`` is never asserted as a direct triple. ``learned``
    marks a fact of the pair classifier (kg/relations/learned.py) rather than of a hand-written rule.
    """

    subject: str
    relation: str
    object: str
    sentence: int
    begin: int
    end: int
    rule: str
    confidence: float
    negated: bool = False
    modality: str | None = None
    attributed_to: str | None = None
    inferred: bool = False
    lemma: str | None = None
    learned: bool = False

    @property
    def asserted(self) -> bool:
        return not self.negated and self.modality is None and self.relation != "related"


@dataclass(frozen=True)
class ResolvedEntity:
    """A corpus-wide entity: document entities merged across documents. ``key`` is
    ``TopClass/name`` and determines the entity IRI."""

    key: str
    cls: str
    label: str
    names: tuple[str, ...]
    wikidata: str | None = None
    readings: tuple[str, ...] = ()


@dataclass(frozen=True)
class DocExtraction:
    """Everything the NLP stages found in one document, as plain data."""

    document: Document
    sentences: tuple[Sentence, ...]
    mentions: tuple[Mention, ...]
    entities: tuple[Entity, ...]
    facts: tuple[Fact, ...]
    stats: dict = field(default_factory=dict, compare=False, hash=False)
