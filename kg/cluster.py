"""Scale-out on Dask distributed: ``kg build --cluster ADDRESS`` (or ``local:N``).

The corpus is read in the same batches as a local build and sent to the workers a few batches
ahead of what has come back. Workers parse and extract each batch (each worker process loads
GiNZA once and uses its parse and extraction caches); the extractions stay in the workers' memory
and only each document's entities and mention counts come back. The client then
resolves entities across all documents (the one global pass) and sends every batch the
corpus-wide entities of its documents; workers write that batch's triples as an N-Quads shard,
one named graph per document (the document IRI). The client writes the entity descriptions
(types, labels, aliases, mention counts) to ``entities.nq`` in the default graph.

IRIs are derived from document ids and entity names only, so the union of the shards is the graph
a local ``kg build`` of the same inputs makes, whatever the number of workers. The output
directory must be reachable by every worker under the same path (a shared filesystem on a real
cluster); shards go to a temporary directory beside it first and replace the old ones at the end.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from pathlib import Path

from . import entities as entities_stage
from . import relations as relations_stage
from .cache import ExtractionCache, extraction_fingerprint, open_cache, rules_digest
from .errors import KGError
from .graph import document_iri, document_triples, entity_triples
from .io import Skipped
from .model import DocExtraction, Document, ResolvedEntity
from .parse import BATCH_DOCUMENTS, DEFAULT_MODEL, THREAD_VARS, in_batches
from .pipeline import BuildReport, extract_batch, read_documents
from .vocab import KG_NS, relations

log = logging.getLogger(__name__)

SHARDS = "shards"
ENTITIES_FILE = "entities.nq"


class ClusterError(KGError):
    """The Dask scheduler cannot be reached or a cluster cannot be started."""


def connect(address: str):
    """A Dask client: ``local:N`` starts a LocalCluster of N single-threaded worker processes on
    this machine; anything else is a scheduler address (``tcp://host:8786``)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ClusterError("--cluster needs Dask: run `pip install 'kg[cluster]'`") from None
    if address.startswith("local:"):
        try:
            n = int(address.split(":", 1)[1])
        except ValueError:
            n = 0
        if n < 1:
            raise ClusterError(f"--cluster {address}: write local:N with N a number of workers, e.g. local:2")
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None, env=dict.fromkeys(THREAD_VARS, "1"))
        return Client(cluster)
    try:
        return Client(address, timeout="20s")
    except (OSError, TimeoutError) as e:
        raise ClusterError(f"cannot reach the Dask scheduler at {address} ({e}): start one with "
                           "`dask scheduler` and workers with `dask worker ADDRESS --nthreads 1`, or use --cluster local:N") from None


def build_shards(
    inputs: Sequence[str] = (),
    *,
    output,
    cluster: str,
    documents: Iterable | None = None,
    rules: Sequence[str] = (),
    learned: bool = True,
    encoding: str | None = None,
    model: str = DEFAULT_MODEL,
    cache=True,
    on_document: Callable[[Document], None] | None = None,
    on_skip: Callable[[Skipped], None] | None = None,
) -> BuildReport:
    """Build the graph of ``inputs``/``documents`` on the Dask cluster at ``cluster`` into N-Quads
    shards under ``output``/shards. ``cache`` as in ``kg.build``: True lets each worker use its
    own default cache directory, a path must be one every worker can reach."""
    started = time.perf_counter()
    ruleset = relations_stage.load_rules(tuple(str(r) for r in rules), learned)
    if ruleset.learned is not None:
        ruleset.learned.load()
    report = BuildReport()
    batches = in_batches(read_documents(inputs, documents, report, encoding=encoding, on_skip=on_skip), BATCH_DOCUMENTS)
    first = next(batches, None)
    if first is None:
        return report
    out = Path(output) / SHARDS
    out.parent.mkdir(parents=True, exist_ok=True)
    cache_spec = str(Path(cache).resolve()) if isinstance(cache, (str, os.PathLike)) else bool(cache)
    client = connect(cluster)
    staging = Path(tempfile.mkdtemp(prefix=f".{SHARDS}-", dir=out.parent))
    try:
        report.workers = len(client.scheduler_info()["workers"])
        window = 4 * max(1, report.workers)
        rules_f = client.scatter(ruleset, broadcast=True, hash=False)
        digest = rules_digest(rules, learned)
        extracted, batch_ids, per_doc = [], [], []
        pending: deque = deque()  # (summary future, batch) not yet collected: at most `window`
        for n, batch in enumerate(chain([first], batches)):
            fut = client.submit(_extract, batch, rules_f, digest, model, cache_spec, key=f"kg-extract-{n}", pure=False)
            extracted.append(fut)
            batch_ids.append({d.id for d in batch})
            pending.append((client.submit(_summary, fut, key=f"kg-summary-{n}", pure=False), batch))
            while len(pending) > window:
                per_doc.extend(_collect(*pending.popleft(), on_document))
        while pending:
            per_doc.extend(_collect(*pending.popleft(), on_document))
        # the global pass: entities across documents
        resolved = entities_stage.resolve_corpus([(doc_id, ents) for doc_id, ents, _c, _s in per_doc])
        counts: Counter = Counter()
        for doc_id, _ents, mention_counts, stats in per_doc:
            for key, k in mention_counts.items():
                if (doc_id, key) in resolved:
                    counts[resolved[doc_id, key].key] += k
            report.stage_seconds.update({k: v for k, v in stats.items() if isinstance(v, float)})
        corpus = {e.key: e for e in resolved.values()}
        entity_quads = [t for key in sorted(corpus) for t in entity_triples(corpus[key], counts[key])]
        _write_nquads(staging / ENTITIES_FILE, [(t, None) for t in entity_quads])
        written = []
        for n, (fut, ids) in enumerate(zip(extracted, batch_ids)):
            local = {k: v for k, v in resolved.items() if k[0] in ids}
            written.append(client.submit(_write_shard, fut, local, str(staging / f"part-{n:05d}.nq"), key=f"kg-shard-{n}", pure=False))
        del extracted
        for fut in written:
            quads, facts = fut.result()
            report.triples += quads
            report.facts_by_relation.update(facts)
        report.triples += len(entity_quads)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    finally:
        local_cluster = client.cluster
        client.close()
        if local_cluster is not None:
            local_cluster.close()
    _replace_dir(staging, out)
    report.documents = len(per_doc)
    report.sentences = sum(s["sentences"] for *_x, s in per_doc)
    report.mentions = sum(sum(c.values()) for _d, _e, c, _s in per_doc)
    report.statements = sum(s["facts"] for *_x, s in per_doc)
    report.cached = sum(1 for *_x, s in per_doc if "cache" in s)
    report.reused = sum(1 for *_x, s in per_doc if s["reused"])
    report.parsed = report.documents - report.cached
    report.entities_by_class = Counter(e.cls for e in corpus.values())
    report.parse_seconds = report.stage_seconds["parse"]
    report.seconds = time.perf_counter() - started
    return report


def _collect(summary, batch: list[Document], on_document) -> list[tuple]:
    """Wait for one batch's summary; report its documents done."""
    items = summary.result()
    if on_document:
        for doc in batch:
            on_document(doc)
    return items


# ---------------------------------------------------------------- on the workers

_CACHES: dict = {}


def _extract(batch: list[Document], ruleset, rules: str, model: str, cache_spec) -> list[DocExtraction]:
    """Parse and extract one batch on a worker; the model is loaded once per worker process.
    The caches are the worker's: ``cache_spec`` as ``open_cache`` takes it, the extraction
    fingerprint from the worker's own kg and the client's rule files (``rules``, a digest)."""
    key = (cache_spec, rules, model)
    if key not in _CACHES:
        parse_cache = open_cache(cache_spec or None, model)
        extracted = ExtractionCache(parse_cache, extraction_fingerprint(model, rules)) if parse_cache else None
        _CACHES[key] = parse_cache, extracted
    return extract_batch(batch, ruleset, model, *_CACHES[key])


def _summary(extractions: list[DocExtraction]) -> list[tuple]:
    """What the global pass needs of each document: its entities and mention counts."""
    out = []
    for ex in extractions:
        stats = {k: v for k, v in ex.stats.items() if isinstance(v, float)}
        out.append((ex.document.id, ex.entities, Counter(m.entity for m in ex.mentions),
                    dict(stats, sentences=len(ex.sentences), facts=len(ex.facts), reused=bool(ex.stats.get("reused")))))
    return out


def _write_shard(extractions: list[DocExtraction], resolved: dict[tuple[str, str], ResolvedEntity], path: str) -> tuple[int, Counter]:
    """Write one batch's documents as N-Quads, one named graph per document."""
    from rdflib import URIRef

    rels = relations()
    quads, facts = [], Counter()
    for ex in extractions:
        local = {e.key: resolved[(ex.document.id, e.key)] for e in ex.entities if (ex.document.id, e.key) in resolved}
        name = URIRef(document_iri(ex.document.id))
        for t in set(document_triples(ex, local)):
            quads.append((t, name))
            p = str(t[1])
            if p.startswith(KG_NS) and p[len(KG_NS):] in rels:
                facts[p[len(KG_NS):]] += 1
    _write_nquads(Path(path), quads)
    return len(quads), facts


def _write_nquads(path: Path, quads) -> None:
    """Sorted N-Quads, written atomically: same quads, same bytes."""
    import pyoxigraph as ox

    from .oxi import to_ox
    from .store_io import atomic_write_bytes

    out = sorted({ox.Quad(to_ox(s), to_ox(p), to_ox(o), to_ox(g) if g is not None else ox.DefaultGraph())
                  for (s, p, o), g in quads}, key=str)
    atomic_write_bytes(path, ox.serialize(out, format=ox.RdfFormat.N_QUADS))


def _replace_dir(new: Path, old: Path) -> None:
    """Put ``new`` where ``old`` is; a killed run leaves either the old shards or the new ones."""
    if old.exists():
        trash = Path(tempfile.mkdtemp(prefix=f".{old.name}-old-", dir=old.parent))
        os.replace(old, trash / old.name)
        os.replace(new, old)
        shutil.rmtree(trash, ignore_errors=True)
    else:
        os.replace(new, old)
