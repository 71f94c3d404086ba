"""Train the mention tagger (kg/tagger.py) on the train split of stockmark's Wikipedia NER data.

Two models: a BIO sequence CRF that finds spans (ontologies/mention-crf.model) and a span typer,
a maximum-entropy classifier over whole-span features trained on the gold spans
(ontologies/mention-typer.model). Both read word clusters (ontologies/word-clusters.npz), which
``--clusters`` rebuilds first from GiNZA's word vectors; the typer also reads the words' vectors
reduced to 64 principal axes, kept in the same file (``--vectors`` rewrites only those).

    .venv/bin/python scripts/train_tagger.py                       # writes both into ontologies/
    .venv/bin/python scripts/train_tagger.py --cache /tmp/train.spacy   # keep the parse for reruns

With ``--cache`` the CRF's fold predictions are kept beside the parse too, and the CRF is not
retrained while its features, labels and settings are unchanged (for tuning the typer);
``--cv K`` first prints the typer's K-fold score on the train split, to tune it without the
validation split.

The typer also reads a name memory (ontologies/name-memory.tsv, written here): how often the
train split labelled each candidate string with each class or "no name". While training, a span
sees only the counts from the other articles (Wikipedia curids), else the feature would always
agree with the label and the typer would trust it blindly; at run time it sees the whole split.

Reproducible: the same data, parser and settings give the same model (L-BFGS is deterministic).
Only the train split is read; score the result with ``kg eval ner-wikipedia`` (validation).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = {"c1": 0.05, "c2": 0.01, "max_iterations": 150, "feature.possible_transitions": True,
            "feature.minfreq": 2}
TYPER_SETTINGS = {"c1": 0.0, "c2": 0.3, "max_iterations": 200, "feature.minfreq": 1}  # L2 only: best on validation
CLUSTERS = 256  # k-means clusters of GiNZA's word vectors (ontologies/word-clusters.npz)
FOLDS = 2


def bio(sent, mentions, class_of) -> list[str]:
    """BIO labels of one spaCy sentence from gold mentions (character offsets in the doc)."""
    labels = ["O"] * len(sent)
    starts = {t.idx: k for k, t in enumerate(sent)}
    ends = {t.idx + len(t.text): k for k, t in enumerate(sent)}
    for m in mentions:
        if m.begin in starts and m.end in ends and starts[m.begin] <= ends[m.end]:
            a, b = starts[m.begin], ends[m.end]
            if any(x != "O" for x in labels[a:b + 1]):
                continue
            cls = class_of[m.type]
            labels[a] = f"B-{cls}"
            for k in range(a + 1, b + 1):
                labels[k] = f"I-{cls}"
    return labels


def train_crf(items, path: Path, settings=SETTINGS) -> None:
    """Train crfsuite on (feature sequence, label sequence) items."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    for features, labels in items:
        trainer.append(features, labels)
    trainer.set_params(settings)
    trainer.train(str(path))


def train_typer(examples, path: Path) -> None:
    """The span typer: a one-item crfsuite model (maximum entropy) on (article, features, label)."""
    train_crf([([features], [label]) for _doc, features, label in examples], path, TYPER_SETTINGS)


def write_word_scores(model: Path, path: Path) -> None:
    """Each word's share of the typer's scores, for ``kg.tagger.classify`` to add itself: the
    typer's weights of its vector features (each feature alone at value 1 gives log probabilities
    equal to its weights less a constant, which is the same to a maximum-entropy model), times
    every reduced vector, for each part (L, M, C) side by side."""
    import math

    import numpy
    import pycrfsuite

    from kg.tagger import VECTOR_NAMES
    from kg.tagger import reduced_vectors as shipped_vectors  # those of ontologies/word-clusters.npz

    tagger = pycrfsuite.Tagger()
    tagger.open(str(model))
    labels = tagger.labels()
    weights = []
    for names in VECTOR_NAMES.values():
        rows = []
        for name in names:
            tagger.set([{name: 1.0}])
            rows.append([math.log(tagger.marginal(label, 0)) for label in labels])
        weights.append(numpy.array(rows, dtype=numpy.float32))
    tagger.close()
    with path.open("wb") as f:
        numpy.savez_compressed(f, labels=numpy.array(labels), scores=shipped_vectors() @ numpy.hstack(weights))


def cross_validate(examples, k: int) -> None:
    """The span typer's k-fold score on the train split (folds by article): accuracy, and F1 of
    the spans it calls names of the right class, the figure to tune its features and settings by
    without the validation split."""
    import pycrfsuite

    from kg.tagger import NOT_A_NAME

    fold = {d: int(hashlib.sha256(d.encode()).hexdigest(), 16) % k for d in sorted({d for d, _f, _y in examples})}
    right = tp = predicted = gold = 0
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(k):
            model = Path(tmp) / f"typer{n}.model"
            train_typer([e for e in examples if fold[e[0]] != n], model)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(model))
            for d, features, label in examples:
                if fold[d] == n:
                    guess = tagger.tag([features])[0]
                    right += guess == label
                    tp += guess == label != NOT_A_NAME
                    predicted += guess != NOT_A_NAME
                    gold += label != NOT_A_NAME
            tagger.close()
    p, r = tp / max(predicted, 1), tp / max(gold, 1)
    print(f"typer {k}-fold on train: accuracy {right / len(examples):.4f}, names P {p:.4f} R {r:.4f} "
          f"F1 {2 * p * r / max(p + r, 1e-9):.4f}", file=sys.stderr)


def report(name: str, folder: Path, what: str, t0: float) -> None:
    size = (folder / name).stat().st_size // 1024
    print(f"trained {name} on {what} in {time.perf_counter() - t0:.0f} s ({size} KiB)", file=sys.stderr)


def gold_spans(sent, mentions):
    """(first token, end token, gold mention) of the mentions that fall on token boundaries."""
    starts = {t.idx: k for k, t in enumerate(sent)}
    ends = {t.idx + len(t.text): k + 1 for k, t in enumerate(sent)}
    for m in mentions:
        if m.begin in starts and m.end in ends and starts[m.begin] < ends[m.end]:
            yield starts[m.begin], ends[m.end], m


def span_text(tokens, a: int, b: int) -> str:
    return "".join(t.text_with_ws for t in tokens[a:b]).strip()


def article(g) -> str:
    """The Wikipedia article a gold sentence comes from (its curid), else the sentence itself."""
    return g.title or g.id


def name_memory(items):
    """(label counts of every memory key over the split, the same per (article, key))."""
    remembered: dict[str, Counter] = {}
    own: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for doc, _tokens, _a, _b, _sources, label, key in items:
        remembered.setdefault(key, Counter())[label] += 1
        own[(doc, key)][label] += 1
    return remembered, own


def write_memory(remembered, path: Path) -> None:
    """The name memory the typer reads at run time (kg/tagger.py ``memory``), sorted by key."""
    lines = [f"{key}\t{' '.join(f'{label}:{k}' for label, k in sorted(c.items()))}\n"
             for key, c in sorted(remembered.items()) if key and "\t" not in key and "\n" not in key]
    path.write_text("".join(lines), encoding="utf-8")


def parsed_docs(gold, cache: Path | None):
    """The train split parsed as the parse stage does; a ``cache`` is read back only while the
    parse signature it was written under holds."""
    from spacy.tokens import DocBin

    from kg import parse

    nlp = parse.load_model()
    stamp = cache.with_suffix(".signature.json") if cache else None
    if cache and cache.is_file() and stamp.is_file() and stamp.read_text() == _signature(nlp):
        docs = list(DocBin().from_disk(cache).get_docs(nlp.vocab))
        if len(docs) == len(gold.documents):
            return docs
    docs = list(nlp.pipe([d.text for d in gold.documents], batch_size=32))
    if cache:
        stamp.write_text(_signature(nlp))
        db = DocBin(store_user_data=True)
        for d in docs:
            db.add(d)
        db.to_disk(cache)
    return docs


def build_clusters(path: Path, k: int = CLUSTERS, iterations: int = 15) -> None:
    """Cluster the rows of GiNZA's word vectors by cosine k-means (seeded, so reproducible) and
    write the cluster of every word that has a vector, keyed by its spaCy hash: the tagger's
    word-class features, which generalise from the names of the training data to words like them;
    then the reduced vectors (``add_vectors``)."""
    import numpy

    from kg.parse import load_model

    vectors = numpy.asarray(load_model().vocab.vectors.data, dtype=numpy.float32)
    x = vectors / numpy.maximum(numpy.linalg.norm(vectors, axis=1, keepdims=True), 1e-6)
    centres = x[numpy.random.default_rng(0).choice(len(x), k, replace=False)]
    for _ in range(iterations):
        assigned = numpy.argmax(x @ centres.T, axis=1)
        for j in range(k):
            members = x[assigned == j]
            if len(members):
                mean = members.mean(0)
                centres[j] = mean / max(numpy.linalg.norm(mean), 1e-6)
    key2row = load_model().vocab.vectors.key2row
    keys = numpy.fromiter(key2row.keys(), dtype=numpy.uint64, count=len(key2row))
    rows = numpy.fromiter(key2row.values(), dtype=numpy.int64, count=len(key2row))
    order = numpy.argsort(keys)
    numpy.savez_compressed(path, keys=keys[order], clusters=assigned[rows[order]].astype(numpy.uint16))
    add_vectors(path)


def reduced_vectors(vectors):
    """GiNZA's word vectors (one row each) on their VECTOR_DIMS principal axes, scaled to mean
    norm 1, as float16: the span typer's real-valued word features (kg/tagger.py
    ``vector_features``)."""
    import numpy

    from kg.tagger import VECTOR_DIMS

    centred = vectors - vectors.mean(0)
    _u, _s, axes = numpy.linalg.svd(centred, full_matrices=False)
    x = centred @ axes[:VECTOR_DIMS].T
    return (x / numpy.sqrt((x ** 2).sum(1).mean())).astype(numpy.float16)


def add_vectors(path: Path) -> None:
    """Write the reduced vectors (and each word's row in them) into the clusters file ``path``,
    keeping its words and clusters."""
    import numpy

    from kg.parse import load_model

    v = load_model().vocab.vectors
    with numpy.load(path) as data:
        keys, clusters = data["keys"], data["clusters"]
    rows = numpy.array([v.key2row[int(k)] for k in keys], dtype=numpy.uint16)
    numpy.savez_compressed(path, keys=keys, clusters=clusters, rows=rows,
                           vectors=reduced_vectors(numpy.asarray(v.data, dtype=numpy.float32)))


def _signature(nlp) -> str:
    from kg.parse import model_name, parse_signature

    return json.dumps(parse_signature(model_name(nlp)))


def fold_predictions(sentences, output: Path, cache: Path | None):
    """Train the CRF on every sentence (into ``output``) and, k-fold, predict each sentence with
    a CRF not trained on it; with ``cache``, reuse both while features, labels and settings match."""
    import pycrfsuite

    from kg.tagger import MODEL_FILE, spans_of

    key = hashlib.sha256(json.dumps([SETTINGS, FOLDS, [(f, y) for _g, _s, _t, f, y in sentences]],
                                    sort_keys=True).encode()).hexdigest()
    kept = cache.with_suffix(".crf-folds.json") if cache else None
    if kept and kept.is_file() and (output / MODEL_FILE).is_file():
        saved = json.loads(kept.read_text())
        if saved["key"] == key and saved["model"] == hashlib.sha256((output / MODEL_FILE).read_bytes()).hexdigest():
            print("CRF and its fold predictions unchanged: reused", file=sys.stderr)
            return [[tuple(x) for x in spans] for spans in saved["spans"]]

    # 1. the sequence CRF on every sentence
    t0 = time.perf_counter()
    train_crf([(f, y) for _g, _s, _t, f, y in sentences], output / MODEL_FILE)
    report(MODEL_FILE, output, f"{len(sentences)} sentences", t0)

    # 2. what the CRF finds in sentences it was not trained on (k folds), for the typer to judge
    t0 = time.perf_counter()
    crf_spans: list[list] = [[] for _ in sentences]
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(FOLDS):
            model = Path(tmp) / f"fold{k}.model"
            train_crf([(f, y) for n, (_g, _s, _t, f, y) in enumerate(sentences) if n % FOLDS != k], model)
            tagger = pycrfsuite.Tagger()
            tagger.open(str(model))
            for n, (_g, _s, _t, f, _y) in enumerate(sentences):
                if n % FOLDS == k:
                    crf_spans[n] = spans_of(tagger.tag(f))
            tagger.close()
    print(f"{FOLDS}-fold CRF predictions in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    if kept:
        kept.write_text(json.dumps({"key": key, "model": hashlib.sha256((output / MODEL_FILE).read_bytes()).hexdigest(),
                                    "spans": crf_spans}))
    return crf_spans


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=None, help="train.json [default: $KG_SHARED_DIR/eval/ner-wikipedia/train.json]")
    ap.add_argument("--cache", type=Path, default=None, help="DocBin file to keep the parse in between runs")
    ap.add_argument("-o", "--output", type=Path, default=ROOT / "ontologies", help="folder for the model files")
    ap.add_argument("--clusters", action="store_true",
                    help="first rebuild ontologies/word-clusters.npz (the features read the shipped file)")
    ap.add_argument("--vectors", action="store_true",
                    help="first rewrite the reduced word vectors in ontologies/word-clusters.npz, keeping its clusters")
    ap.add_argument("--no-memory", dest="memory", action="store_false",
                    help="train the typer without the name memory features (for comparison)")
    ap.add_argument("--cv", type=int, default=0, metavar="K",
                    help="first print the span typer's K-fold score on the train split (folds by article)")
    args = ap.parse_args(argv)
    if args.clusters:
        build_clusters(ROOT / "ontologies" / "word-clusters.npz")
    elif args.vectors:
        add_vectors(ROOT / "ontologies" / "word-clusters.npz")

    from kg.evaluation.gold import load
    from kg.lexicon import name_key
    from kg.mentions import sentence_spans
    from kg.tagger import (MEMORY_FILE, NOT_A_NAME, TYPER_FILE, TYPER_VECTORS_FILE, sentence_features,
                           stockmark_classes, typer_item)

    gold = load("ner-wikipedia", args.gold, split="train")
    t0 = time.perf_counter()
    docs = parsed_docs(gold, args.cache)
    print(f"parsed {len(docs)} sentences in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    class_of = stockmark_classes()
    sentences = []  # (gold document, spaCy sentence, tokens, features, BIO labels)
    for g, doc in zip(gold.documents, docs):
        for sent in doc.sents:
            tokens = list(sent)
            sentences.append((g, sent, tokens, sentence_features(tokens), bio(sent, g.mentions, class_of)))
    args.output.mkdir(parents=True, exist_ok=True)

    crf_spans = fold_predictions(sentences, args.output, args.cache)

    # 3. the span typer: every candidate span the mentions stage would consider, labelled with
    # its gold class or "no name", plus the gold spans no source proposed
    t0 = time.perf_counter()
    items = []  # (article, tokens, start, end, sources, label, memory key)
    for (g, sent, tokens, _f, _y), crf in zip(sentences, crf_spans):
        gold_of = {(sent.start + a, sent.start + b): class_of[m.type] for a, b, m in gold_spans(tokens, g.mentions)}
        candidates = sentence_spans(sent, crf)
        spans = [(start, end, info.sources, gold_of.get((start, end), NOT_A_NAME)) for (start, end), info in candidates.items()]
        spans += [(start, end, (), label) for (start, end), label in gold_of.items() if (start, end) not in candidates]
        for start, end, sources, label in spans:
            a, b = start - sent.start, end - sent.start
            items.append((article(g), tokens, a, b, sources, label, name_key(span_text(tokens, a, b))))
    remembered, own = name_memory(items)
    write_memory(remembered, args.output / MEMORY_FILE)
    examples = []
    for doc, tokens, a, b, sources, label, key in items:
        # what the other articles of the split say of the name: its own would always agree
        known = remembered.get(key, Counter()) - own[(doc, key)] if args.memory else {}
        examples.append((doc, typer_item(tokens, a, b, sources, known), label))
    if args.cv:
        cross_validate(examples, args.cv)
    train_typer(examples, args.output / TYPER_FILE)
    write_word_scores(args.output / TYPER_FILE, args.output / TYPER_VECTORS_FILE)
    positives = sum(1 for _d, _f, label in examples if label != NOT_A_NAME)
    report(TYPER_FILE, args.output, f"{positives} names and {len(examples) - positives} non-names", t0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
