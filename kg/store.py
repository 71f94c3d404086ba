"""The store: pyoxigraph as the query engine and the persistent, incremental dataset.

Two things live here.

``open_dataset(source)`` opens anything the query, export, serve, push, stats and path commands
take as GRAPH: a graph file (Turtle, N-Triples, TriG, N-Quads, JSON-LD, RDF/XML; loaded into an
in-memory pyoxigraph store), a kg store directory (opened read-only), or a plain Oxigraph
(RocksDB) directory. Queries see the union of all graphs as their default graph.

``KGStore`` is the on-disk store that ``kg build --store DIR`` fills and ``kg remove`` edits.

Design of the store
-------------------
A store directory holds two databases::

    DIR/oxigraph/        the RDF dataset (pyoxigraph on RocksDB): what queries and exports read
    DIR/records.sqlite   the source of truth: each document's plain extraction record

The dataset has one named graph per document, named by the document IRI
(``https://w3id.org/kg-ja/id/doc/ID``), holding what that document contributes: its NIF context,
sentences, mentions, Statements and the direct triples it asserts. One more named graph,
``https://w3id.org/kg-ja/id/graph/entities``, holds the entity descriptions (types, label,
aliases, readings, Wikidata links, mention counts), which depend on every document at once.
The union of these graphs is exactly the graph ``kg build`` writes for the same documents.

Entity IRIs come from cross-document resolution (``entities.resolve_corpus``): adding a document
can merge two entities or change an entity's preferred label, which changes IRIs that *other*
documents' graphs use. So every change (add, replace, remove) re-runs resolution over the stored
records, which needs only the document-local entities kept in records.sqlite, never a reparse.
Each document graph is stored with a signature of the resolved entities it refers to, and each
entity description with a signature of its content; after resolution only the document graphs
whose signature changed (plus the added ones) are rewritten, and only the changed entity
descriptions. Resolution is deterministic and order-independent, so adding A then B, B then A,
or A and B at once gives the same dataset, and re-adding an unchanged document changes nothing.

Crash safety: records are committed first, together with a ``dirty`` mark; then the dataset is
updated; then the signatures are committed and the mark cleared. A writer that finds the mark
(a previous run was killed between those steps) rebuilds the dataset from the records, which are
complete. Readers meanwhile see the dataset as it was. Materialisation also records which
version of the graph code and vocabulary produced it, and rebuilds when those change.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pyoxigraph as ox

from .errors import StoreError
from .oxi import to_ox as _ox
from .model import DocExtraction, Document, Entity, Fact, Mention, ResolvedEntity, Sentence
from .vocab import ID_NS, KG, NIF, relations, resource_path

log = logging.getLogger(__name__)

DOC_NS = ID_NS + "doc/"
ENTITY_GRAPH = ox.NamedNode(ID_NS + "graph/entities")
_TRUE = ox.Literal("true", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean"))
RECORDS = "records.sqlite"
DATASET = "oxigraph"
FORMAT_VERSION = 1
BULK_BATCH = 200_000  # quads per RocksDB SST ingestion (bulk_extend)
SMALL_WRITE = 5_000  # below this a plain transaction (extend) is cheaper than writing SST files

FORMATS = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".n3": ox.RdfFormat.N3,
}


def document_graph(doc_id: str) -> ox.NamedNode:
    """The named graph of one document: the document IRI."""
    from .graph import document_iri

    return ox.NamedNode(document_iri(doc_id))


# ---------------------------------------------------------------- opening graphs


def is_store_dir(path: Path) -> bool:
    return (path / RECORDS).exists() and (path / DATASET).is_dir()


def _is_oxigraph_dir(path: Path) -> bool:
    return (path / "CURRENT").exists()


def open_dataset(source, *, writable: bool = False) -> ox.Store:
    """A pyoxigraph store over ``source``: a graph file, a kg store directory, or an Oxigraph
    directory. Files are loaded into memory; directories are opened read-only unless
    ``writable``. Raises StoreError naming the source when it cannot be opened or parsed."""
    path = Path(source)
    if path.is_dir():
        target = path / DATASET if is_store_dir(path) else path
        if not _is_oxigraph_dir(target):
            raise StoreError(f"{path}: not a kg store or Oxigraph directory (make one with `kg build INPUT --store {path}`)")
        try:
            return ox.Store(str(target)) if writable else ox.Store.read_only(str(target))
        except OSError as e:
            raise StoreError(f"{path}: cannot open the store ({_one_line(e)}); is another process writing it?") from e
    fmt = rdf_format(path)
    store = ox.Store()
    with reading(path, fmt):
        store.load(path=str(path), format=fmt)
    return store


@contextmanager
def reading(path: Path, fmt: ox.RdfFormat):
    """Parse errors of the graph file ``path`` (of syntax ``fmt``) as StoreError naming it."""
    try:
        yield
    except SyntaxError as e:
        raise StoreError(f"{path}: not valid {fmt.name}: {_one_line(e)}") from e
    except (OSError, ValueError) as e:
        raise StoreError(f"{path}: cannot read: {_one_line(e)}") from e


def dataset_from_graph(graph) -> ox.Store:
    """An in-memory pyoxigraph store holding an rdflib graph (e.g. what ``kg.build`` returns),
    for ``kg.query.run`` and the exports."""
    from .oxi import to_oxigraph_triples

    store = ox.Store()
    store.extend(ox.Quad(t.subject, t.predicate, t.object) for t in to_oxigraph_triples(graph))
    return store


def rdf_format(path: Path) -> ox.RdfFormat:
    if not path.exists():
        raise StoreError(f"{path}: no such graph file or store directory")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise StoreError(f"{path}: unknown graph file type {path.suffix or '(none)'!r}; use one of {known}, or a store directory")
    return fmt


def _one_line(e: BaseException) -> str:
    return " ".join(str(e).split())[:300]


def has_named_graphs(store: ox.Store) -> bool:
    return next(iter(store.named_graphs()), None) is not None


_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_STATEMENT_PARTS = {_RDF + "subject": "s", _RDF + "predicate": "p", _RDF + "object": "o",
                    str(NIF.referenceContext): "ctx", str(KG.negated): "negated", str(KG.modality): "modality"}
_STATEMENT = ox.NamedNode(_RDF + "Statement")
_TYPE = _RDF + "type"


def split_by_document_quads(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    """Quads in the store layout, one pass: a quad already in a named graph passes through; a
    default-graph triple goes to one named graph per document, the entity graph otherwise.

    A subject under a document IRI (context, sentences, mentions, Statements) goes to that
    document's graph (the subject IRI up to ``#``); a direct relation triple goes to the graph
    of every document with an asserted Statement backing it (either direction for symmetric
    relations), to the entity graph if none does; the rest (entity descriptions) to the entity
    graph. Direct relation triples of entities are held until the end (their Statements may come
    later); everything else streams. This is the split ``KGStore`` writes."""
    direct = {str(r.iri): r.symmetric for r in relations().values()}
    graphs: dict[str, ox.NamedNode] = {}
    statements: dict[ox.NamedNode, dict] = {}
    held: list[ox.Quad] = []
    for q in quads:
        if not isinstance(q.graph_name, ox.DefaultGraph):
            yield q
            continue
        s, p = q.subject, q.predicate
        if isinstance(s, ox.NamedNode) and s.value.startswith(DOC_NS):
            base = s.value.partition("#")[0]
            g = graphs.get(base)
            if g is None:
                g = graphs[base] = ox.NamedNode(base)
            yield ox.Quad(s, p, q.object, g)
            part = _STATEMENT_PARTS.get(p.value)
            if part is not None or (p.value == _TYPE and q.object == _STATEMENT):
                statements.setdefault(s, {})[part or "type"] = q.object
        elif p.value in direct:
            held.append(q)
        else:
            yield ox.Quad(s, p, q.object, ENTITY_GRAPH)
    backing: dict[tuple, set[str]] = {}
    for st in statements.values():
        ctx = st.get("ctx")
        if ("type" not in st or "modality" in st or st.get("negated") == _TRUE or not isinstance(ctx, ox.NamedNode)
                or "#" not in ctx.value or not isinstance(st.get("p"), ox.NamedNode) or st["p"].value not in direct):
            continue
        g = ctx.value.partition("#")[0]
        backing.setdefault((st.get("s"), st["p"], st.get("o")), set()).add(g)
        if direct[st["p"].value]:
            backing.setdefault((st.get("o"), st["p"], st.get("s")), set()).add(g)
    for q in held:
        docs = backing.get((q.subject, q.predicate, q.object))
        for g in sorted(docs) if docs else ():
            yield ox.Quad(q.subject, q.predicate, q.object, graphs.get(g) or ox.NamedNode(g))
        if not docs:
            yield ox.Quad(q.subject, q.predicate, q.object, ENTITY_GRAPH)


def split_by_document(store: ox.Store) -> None:
    """Move a single-graph dataset (a graph.ttl loaded in memory) into the store layout (see
    ``split_by_document_quads``)."""
    quads = list(split_by_document_quads(store))
    store.clear()
    store.extend(quads)


# ---------------------------------------------------------------- records


def _plain(value):
    """Dataclasses as dicts of their fields, recursively (``dataclasses.asdict`` without its
    deep copies, which cost more than the rest of writing a record)."""
    if dataclasses.is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    return value


def record_json(ex: DocExtraction) -> str:
    """A DocExtraction as JSON (every dataclass field, so new model fields are kept)."""
    return json.dumps(_plain(ex), ensure_ascii=False, separators=(",", ":"), default=str)


def _build(cls, data: dict):
    names = {f.name for f in dataclasses.fields(cls)}
    return cls(**{k: tuple(v) if isinstance(v, list) else v for k, v in data.items() if k in names})


def record_from_json(text: str) -> DocExtraction:
    d = json.loads(text)
    return DocExtraction(
        document=_build(Document, d["document"]),
        sentences=tuple(_build(Sentence, s) for s in d["sentences"]),
        mentions=tuple(_build(Mention, m) for m in d["mentions"]),
        entities=tuple(_build(Entity, e) for e in d["entities"]),
        facts=tuple(_build(Fact, f) for f in d["facts"]),
        stats=d.get("stats") or {},
    )


def _entities_json(ex: DocExtraction) -> str:
    counts = Counter(m.entity for m in ex.mentions)
    return json.dumps([[_plain(e), counts[e.key]] for e in ex.entities], ensure_ascii=False, separators=(",", ":"))


def _sig(*parts) -> str:
    return hashlib.sha1(repr(parts).encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def materializer_id() -> str:
    """Changes when the code or vocabulary that shapes the triples changes."""
    h = hashlib.sha1()
    h.update(Path(__file__).with_name("graph.py").read_bytes())
    with resource_path("kg.ontologies", "kg.ttl").open("rb") as f:
        h.update(f.read())
    return f"{FORMAT_VERSION}:{h.hexdigest()}"


# ---------------------------------------------------------------- the store


@dataclass
class StoreChange:
    """What one add or remove did."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    rewritten: int = 0  # document graphs written (added, replaced, or touched by re-resolution)
    entities_changed: int = 0
    documents: int = 0
    quads: int = 0

    def summary(self) -> str:
        parts = [f"{len(v)} {k}" for k, v in (("added", self.added), ("replaced", self.replaced), ("unchanged", self.unchanged),
                                              ("removed", self.removed), ("not found", self.missing)) if v]
        return f"{', '.join(parts) or 'no change'}; {self.documents} documents, {self.quads} quads"


class KGStore:
    """A persistent kg dataset in a directory; see the module docstring for the design.

    >>> with KGStore("kg-store") as st:
    ...     st.add(graph.extractions)          # from kg.build(...)
    ...     st.remove(["old.txt"])
    """

    def __init__(self, path):
        self.path = Path(path)
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: exists and is not a directory; give a directory for the store")
        if self.path.is_dir() and any(self.path.iterdir()) and not is_store_dir(self.path):
            raise StoreError(f"{self.path}: not a kg store (it has other files); give an empty or new directory")
        self.path.mkdir(parents=True, exist_ok=True)
        try:
            self.db = sqlite3.connect(str(self.path / RECORDS), isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.executescript(
                """
                CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE IF NOT EXISTS documents (
                    id TEXT PRIMARY KEY, record TEXT NOT NULL, entities TEXT NOT NULL,
                    content TEXT NOT NULL, signature TEXT);
                CREATE TABLE IF NOT EXISTS entities (key TEXT PRIMARY KEY, signature TEXT NOT NULL);
                """
            )
        except sqlite3.Error as e:
            raise StoreError(f"{self.path / RECORDS}: cannot open the records database ({e})") from e
        try:
            self.ox = ox.Store(str(self.path / DATASET))
        except OSError as e:
            self.db.close()
            raise StoreError(f"{self.path}: cannot open the dataset ({_one_line(e)}); is another kg process using this store?") from e
        if self._meta("materializer") not in (None, materializer_id()) or self._meta("dirty") == "1":
            log.warning("%s: rebuilding the dataset from the stored records (interrupted write or new kg version)", self.path)
            self.rebuild()

    # -- context manager / lifecycle
    def __enter__(self) -> KGStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if getattr(self, "ox", None) is not None:
            self.ox.flush()
            self.ox = None
        self.db.close()

    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # -- reading
    def documents(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT id FROM documents ORDER BY id")]

    def extraction(self, doc_id: str) -> DocExtraction:
        row = self.db.execute("SELECT record FROM documents WHERE id = ?", (doc_id,)).fetchone()
        if row is None:
            raise StoreError(f"{self.path}: no document {doc_id!r} in the store")
        return record_from_json(row[0])

    def extractions(self) -> Iterator[DocExtraction]:
        for (text,) in self.db.execute("SELECT record FROM documents ORDER BY id"):
            yield record_from_json(text)

    # -- writing
    def add(self, extractions: Iterable[DocExtraction]) -> StoreChange:
        """Add documents; a document whose id is already stored is replaced."""
        change = StoreChange()
        touched: set[str] = set()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for ex in extractions:
                doc_id = ex.document.id
                record = record_json(ex)
                content = _sig(record)
                row = self.db.execute("SELECT content FROM documents WHERE id = ?", (doc_id,)).fetchone()
                if row is not None and row[0] == content:
                    change.unchanged.append(doc_id)
                    continue
                (change.replaced if row is not None else change.added).append(doc_id)
                touched.add(doc_id)
                self.db.execute(
                    "INSERT OR REPLACE INTO documents (id, record, entities, content, signature) VALUES (?, ?, ?, ?, NULL)",
                    (doc_id, record, _entities_json(ex), content),
                )
            if touched:
                self._set_meta("dirty", "1")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        if touched:
            self._materialize(touched, set(), change)
        return self._finish(change)

    def remove(self, doc_ids: Sequence[str]) -> StoreChange:
        """Delete documents' contributions; ids not in the store are reported as missing."""
        change = StoreChange()
        self.db.execute("BEGIN IMMEDIATE")
        try:
            for doc_id in dict.fromkeys(doc_ids):
                cur = self.db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
                (change.removed if cur.rowcount else change.missing).append(doc_id)
            if change.removed:
                self._set_meta("dirty", "1")
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        if change.removed:
            self._materialize(set(), set(change.removed), change)
        return self._finish(change)

    def rebuild(self) -> StoreChange:
        """Write the whole dataset again from the records."""
        change = StoreChange()
        self.ox.clear()
        self.db.execute("UPDATE documents SET signature = NULL")
        self.db.execute("DELETE FROM entities")
        self._set_meta("dirty", "1")
        self._materialize(set(self.documents()), set(), change)
        return self._finish(change)

    def _finish(self, change: StoreChange) -> StoreChange:
        change.documents = self.db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
        change.quads = len(self.ox)
        return change

    def _materialize(self, touched: set[str], removed: set[str], change: StoreChange) -> None:
        from .entities import resolve_corpus
        from .graph import document_triples, entity_iri, entity_triples

        rows = self.db.execute("SELECT id, entities, signature FROM documents ORDER BY id").fetchall()
        local_entities = {doc_id: [(_build(Entity, e), n) for e, n in json.loads(ents)] for doc_id, ents, _ in rows}
        resolved = resolve_corpus([(doc_id, [e for e, _ in ents]) for doc_id, ents in local_entities.items()])

        # which document graphs to (re)write
        new_doc_sigs: dict[str, str] = {}
        for doc_id, _ents, old_sig in rows:
            local = sorted((e.key, repr(resolved[(doc_id, e.key)])) for e, _ in local_entities[doc_id] if (doc_id, e.key) in resolved)
            sig = _sig(local)
            if doc_id in touched or sig != old_sig:
                new_doc_sigs[doc_id] = sig

        # entity descriptions: what every entity should say now, against what is stored
        counts: Counter = Counter()
        described: dict[str, ResolvedEntity] = {}
        for doc_id, ents in local_entities.items():
            for e, n in ents:
                r = resolved.get((doc_id, e.key))
                if r is not None:
                    counts[r.key] += n
                    described[r.key] = r
        wanted = {key: _sig(repr(ent), counts[key]) for key, ent in described.items()}
        stored = dict(self.db.execute("SELECT key, signature FROM entities"))
        stale = [k for k, s in stored.items() if wanted.get(k) != s]
        fresh = sorted(k for k, s in wanted.items() if stored.get(k) != s)

        # the dataset: drop stale graphs and descriptions, then write the new ones
        for doc_id in sorted(removed | set(new_doc_sigs)):
            self.ox.remove_graph(document_graph(doc_id))
        for key in stale:
            for q in list(self.ox.quads_for_pattern(_ox(entity_iri(key)), None, None, ENTITY_GRAPH)):
                self.ox.remove(q)
        batch: list[ox.Quad] = []
        for doc_id in sorted(new_doc_sigs):
            ex = self.extraction(doc_id)
            g = document_graph(doc_id)
            local = {e.key: resolved[(doc_id, e.key)] for e in ex.entities if (doc_id, e.key) in resolved}
            batch.extend(ox.Quad(_ox(s), _ox(p), _ox(o), g) for s, p, o in document_triples(ex, local))
            batch = self._flush(batch)
        for key in fresh:
            batch.extend(ox.Quad(_ox(s), _ox(p), _ox(o), ENTITY_GRAPH) for s, p, o in entity_triples(described[key], counts[key]))
            batch = self._flush(batch)
        self._flush(batch, force=True)
        self.ox.flush()

        # commit the signatures and clear the dirty mark
        self.db.execute("BEGIN IMMEDIATE")
        self.db.executemany("UPDATE documents SET signature = ? WHERE id = ?", [(s, d) for d, s in new_doc_sigs.items()])
        self.db.executemany("DELETE FROM entities WHERE key = ?", [(k,) for k in stale if k not in wanted])
        self.db.executemany("INSERT OR REPLACE INTO entities (key, signature) VALUES (?, ?)", [(k, wanted[k]) for k in fresh])
        self._set_meta("materializer", materializer_id())
        self._set_meta("dirty", "0")
        self.db.execute("COMMIT")
        change.rewritten += len(new_doc_sigs)
        change.entities_changed += len(set(stale) | set(fresh))

    def _flush(self, batch: list, force: bool = False) -> list:
        """Write ``batch`` when it is big enough (or ``force``). Bulk ingestion is not one
        transaction, which is fine here: the dirty mark covers an interrupted write."""
        if len(batch) >= BULK_BATCH or (force and len(batch) >= SMALL_WRITE):
            self.ox.bulk_extend(batch)
            return []
        if force and batch:
            self.ox.extend(batch)
            return []
        return batch


def add_to_store(path, extractions: Iterable[DocExtraction]) -> StoreChange:
    """Add (or replace) documents in the store at ``path``; the one call ``kg build --store`` makes."""
    with KGStore(path) as st:
        return st.add(extractions)


# ---------------------------------------------------------------- pushing to a SPARQL server


@dataclass
class PushReport:
    graphs: int = 0
    triples: int = 0
    bytes: int = 0
    pruned: list[str] = field(default_factory=list)


def query_endpoint_for(endpoint: str) -> str | None:
    """The SPARQL query endpoint next to a Graph Store endpoint, for the two usual layouts
    (Oxigraph: .../store -> .../query; Fuseki: .../DATASET/data -> .../DATASET/sparql)."""
    from urllib.parse import urlsplit, urlunsplit

    url = urlsplit(endpoint)
    head, _, last = url.path.rstrip("/").rpartition("/")
    other = {"store": "query", "data": "sparql"}.get(last)
    return urlunsplit(url._replace(path=f"{head}/{other}", query="")) if other else None


def push(store: ox.Store, endpoint: str, *, headers: dict[str, str] | None = None, timeout: float = 60.0,
         on_graph=None, prune: bool = False, sparql: str | None = None) -> PushReport:
    """Load the dataset into a SPARQL server through the Graph Store Protocol: one PUT per
    named graph (each document, and the entity graph) to ``endpoint?graph=IRI``, so pushing
    again replaces rather than duplicates. A single-graph input is split by document first.

    With ``prune``, document graphs on the server (named under the document namespace) that the
    dataset no longer has are then deleted (HTTP DELETE), so documents removed from a store
    leave the server too; the server's graphs are listed through its SPARQL query endpoint
    ``sparql`` (by default the one next to ``endpoint``, see ``query_endpoint_for``). Graphs
    outside the document namespace are never touched."""
    import http.client
    from urllib.parse import quote, urlsplit

    from .oxi import restore_dump

    url = urlsplit(endpoint)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise StoreError(f"{endpoint}: not an http(s) URL of a Graph Store Protocol endpoint (e.g. http://127.0.0.1:7878/store)")
    if prune:
        sparql = sparql or query_endpoint_for(endpoint)
        if not sparql:
            raise StoreError(f"{endpoint}: cannot tell the server's SPARQL query endpoint, which --prune needs to list its graphs; give --sparql URL")
    if not has_named_graphs(store) and len(store):
        split_by_document(store)
    conn_cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
    conn = conn_cls(url.hostname, url.port, timeout=timeout)
    base = url.path or "/"
    sep = "&" if url.query else "?"
    prefix = f"{base}{'?' + url.query if url.query else ''}{sep}"
    report = PushReport()
    graphs: list = sorted(store.named_graphs(), key=lambda g: g.value)
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        graphs.append(ox.DefaultGraph())

    def send(method: str, g, body: bytes | None = None) -> None:
        target = prefix + ("default" if isinstance(g, ox.DefaultGraph) else "graph=" + quote(g.value, safe=""))
        extra = {"Content-Type": "application/n-triples"} if body is not None else {}
        conn.request(method, target, body=body, headers={**extra, **(headers or {})})
        resp = conn.getresponse()
        text = resp.read().decode("utf-8", "replace")
        if resp.status not in (200, 201, 204):
            what = g.value if not isinstance(g, ox.DefaultGraph) else "the default graph"
            raise StoreError(f"{endpoint}: {method} of {what} failed with HTTP {resp.status} {resp.reason}: {' '.join(text.split())[:200]}")

    try:
        for g in graphs:
            body = restore_dump(store, store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=g), "nt", g)
            send("PUT", g, body)
            report.graphs += 1
            report.triples += body.count(b"\n")
            report.bytes += len(body)
            if on_graph:
                on_graph(g)
        if prune:
            pushed = {g.value for g in graphs if isinstance(g, ox.NamedNode)}
            for iri in server_document_graphs(sparql, headers=headers, timeout=timeout):
                if iri not in pushed:
                    send("DELETE", ox.NamedNode(iri))
                    report.pruned.append(iri)
    except (OSError, http.client.HTTPException) as e:
        raise StoreError(f"{endpoint}: cannot reach the server ({e.__class__.__name__}: {e}); is it running?") from e
    finally:
        conn.close()
    return report


def server_document_graphs(sparql: str, *, headers: dict[str, str] | None = None, timeout: float = 60.0) -> list[str]:
    """The document graphs (named under the document namespace) a SPARQL server holds."""
    import urllib.error
    import urllib.request
    from urllib.parse import urlencode

    query = f'SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ }} FILTER(STRSTARTS(STR(?g), "{DOC_NS}")) }}'
    req = urllib.request.Request(f"{sparql}?{urlencode({'query': query})}",
                                 headers={"Accept": "application/sparql-results+json", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data = json.loads(r.read())
        return sorted(b["g"]["value"] for b in data["results"]["bindings"])
    except urllib.error.HTTPError as e:
        raise StoreError(f"{sparql}: listing the server's graphs failed with HTTP {e.code} {e.reason}; give its SPARQL query endpoint with --sparql") from e
    except (ValueError, KeyError, TypeError) as e:
        raise StoreError(f"{sparql}: not a SPARQL query endpoint (no JSON results); give the right one with --sparql") from e
