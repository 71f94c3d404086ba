"""A learned mention tagger: a linear-chain CRF over GiNZA tokens, one of the mentions stage's
sources of spans and class evidence.

Features are the token's surface, lemma, part of speech, character classes and affixes, word
cluster (k-means of GiNZA's word vectors, ontologies/word-clusters.npz), GiNZA's ENE label,
bunsetsu and quote position, and the same of its neighbours. Labels are BIO
tags over the classes of ontologies/kg.ttl (``B-Person``, ``I-Company``...). The model
(ontologies/mention-crf.model) is trained reproducibly by ``scripts/train_tagger.py`` on the
train split of stockmark's Wikipedia NER data and read with python-crfsuite; tagging is offline
and costs a few percent of the parse. A second model, the span typer
(ontologies/mention-typer.model), judges each candidate span whole; among its features are the
name memory (ontologies/name-memory.tsv): how the train split labelled the same string, and the
span's and its context's word vectors, reduced to 64 axes (kept with the clusters).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

from importlib.resources import as_file

from .lexicon import name_key
from .vocab import classes, resource_path

log = logging.getLogger(__name__)

MODEL_FILE = "mention-crf.model"
TYPER_FILE = "mention-typer.model"
NOT_A_NAME = "O"  # the span typer's label for a span that names nothing
_OPEN = "「『“(（"
_CLOSE = "」』”)）"


@lru_cache(maxsize=1)
def stockmark_classes() -> dict[str, str]:
    """Stockmark NER type -> the most general class of kg.ttl carrying it (製品名 -> Product)."""
    info = classes()
    out = {}
    for c in info.values():
        label = c.stockmark_type
        if label and not (c.parent and info[c.parent].stockmark_type == label):
            out[label] = c.name
    return out


def _char_class(ch: str) -> str:
    o = ord(ch)
    if 0x3041 <= o <= 0x309F:
        return "h"
    if 0x30A1 <= o <= 0x30FA or ch == "ー":
        return "k"
    if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or ch in "々〆ヶ":
        return "c"
    if ch.isascii() and ch.isalpha():
        return "U" if ch.isupper() else "l"
    if ch.isdigit():
        return "d"
    if ch in "・･=":
        return "m"
    return "o"


_RUNS = re.compile(r"(.)\1+")


@lru_cache(maxsize=65536)
def _shape(text: str) -> str:
    return _RUNS.sub(r"\1", "".join(_char_class(c) for c in text))[:6]


_OFFSETS = (-1, 1, -2, 2)


def _names(own, near, far):
    """Feature name prefixes, each with its key: ``key=`` for a token's own features, and for
    each neighbour offset ``off:key=`` for those its neighbours see of it (``near``: offsets -1, 1)."""
    return (tuple((f"{k}=", k) for k in own),
            {off: tuple((f"{off}:{k}=", k) for k in (near if abs(off) == 1 else far)) for off in _OFFSETS})


_LEX_NAMES = _names(own=("w", "l", "t", "t2", "p", "s", "f1", "f2", "e1", "e2", "e3", "n", "c"),
                    near=("w", "l", "t2", "s", "e1", "c"), far=("w", "t2", "c"))
_CTX_NAMES = _names(own=("ent", "q", "b", "d", "bp", "sa"), near=("ent", "b", "bp"), far=("et",))


def _features(values: dict[str, str], names):
    """A token's own feature strings and those its neighbours see, per offset (``_names``)."""
    own, seen = names
    return (tuple([name + values[k] for name, k in own]),
            {off: tuple([name + values[k] for name, k in keys]) for off, keys in seen.items()})


@lru_cache(maxsize=65536)
def _lexical(text: str, lemma: str, tag: str, pos: str, cluster: int):
    """Features of a token's form, the same wherever it occurs: its own, and as seen from each
    neighbour offset. Cached, since words repeat."""
    text = unicodedata.normalize("NFKC", text)
    v = {
        "w": text,
        "l": lemma,
        "t": tag,
        "t2": "-".join(tag.split("-")[:2]),
        "p": pos,
        "s": _shape(text),
        "f1": text[:1],
        "f2": text[:2],
        "e1": text[-1:],
        "e2": text[-2:] if len(text) > 1 else "",
        "e3": text[-3:] if len(text) > 2 else "",
        "n": str(min(len(text), 6)),
        "c": str(cluster),
    }
    return (v["w"], v["t2"], *_features(v, _LEX_NAMES))


@lru_cache(maxsize=65536)
def _context(ent: str, et: str, q: str, b: str, d: str, bp: str, sa: str):
    """Features of a token's place (GiNZA's entity label, quotes, bunsetsu, dependency), its own
    and as seen from each neighbour offset; cached like ``_lexical``."""
    return _features({"ent": ent, "et": et, "q": q, "b": b, "d": d, "bp": bp, "sa": sa}, _CTX_NAMES)


_EDGE = {off: (f"{off}:edge",) for off in _OFFSETS}


class Words:
    """One sentence's tokens as the features read them, each spaCy attribute read once (every read
    on a Token looks its string up in the vocabulary): the surface (``text``; ``form``, NFKC;
    ``text_ws``, with the space after it), lemma, tag, part of speech, GiNZA's entity labels,
    dependency, index in the Doc, the word's cluster and the row of its reduced vector (-1 for
    none). ``shares`` keeps the span typer's share of the word vectors for spans (``score_spans``,
    ``share``)."""

    def __init__(self, tokens):
        self.tokens = tokens
        self.text = [t.text for t in tokens]
        self.form = [unicodedata.normalize("NFKC", x) for x in self.text]
        self.text_ws = [t.text_with_ws for t in tokens]
        self.lemma = [t.lemma_ for t in tokens]
        self.tag = [t.tag_ for t in tokens]
        self.pos = [t.pos_ for t in tokens]
        self.ent_iob = [t.ent_iob_ for t in tokens]
        self.ent_type = [t.ent_type_ for t in tokens]
        self.dep = [t.dep_ for t in tokens]
        self.index = [t.i for t in tokens]
        found = [_word(t.orth, t.norm) for t in tokens]
        self.clusters = [c for c, _r in found]
        self.rows = [r for _c, r in found]
        self.shares: dict[tuple[int, int], list[float] | None] = {}

    def around(self, a: int, b: int) -> list[int]:
        """The content words (nouns, verbs, adjectives) within ``CONTEXT`` tokens of ``[a, b)``."""
        lo, hi = max(0, a - CONTEXT), min(len(self.text), b + CONTEXT)
        return [j for j in range(lo, hi) if (j < a or j >= b) and self.pos[j] in _CONTENT]

    def share(self, a: int, b: int) -> list[float] | None:
        """The vector features' share of the typer's probabilities for the span ``[a, b)``
        (``score_spans``)."""
        if (a, b) not in self.shares:
            score_spans([self], [[(a, b)]])
        return self.shares[(a, b)]


def sentence_features(tokens, words: Words | None = None) -> list[list[str]]:
    """crfsuite feature strings for each token of one sentence (``words``: its ``Words``, if the
    caller has them)."""
    words = Words(tokens) if words is None else words
    bunsetu_starts = _bunsetu_starts(tokens)
    ud = tokens[0].doc.user_data if tokens else {}
    positions = ud.get("bunsetu_position_types") or []
    subs = ud.get("sub_tokens") or []
    depth = 0
    lex, ctx, ents = [], [], []
    for k, text in enumerate(words.text):
        if text in _CLOSE:
            depth = max(0, depth - 1)
        i = words.index[k]
        sub = ""
        if i < len(subs) and subs[i] and subs[i][0]:
            a_units = subs[i][0]
            sub = f"{a_units[0][0]}|{a_units[-1][0]}"  # DetailedToken or its tuple from a DocBin
        et = words.ent_type[k]
        ent = f"{words.ent_iob[k]}-{et}" if et else "O"
        ents.append(ent)
        ctx.append(_context(ent, et or "O", "1" if depth > 0 else "0", "1" if i in bunsetu_starts else "0", words.dep[k],
                            positions[i] if i < len(positions) else "", sub))
        lex.append(_lexical(text, words.lemma[k], words.tag[k], words.pos[k], words.clusters[k]))
        if text in _OPEN:
            depth += 1
    n = len(tokens)
    # what each token sees of its neighbour at each offset, -1, 1, -2, 2 (or of the sentence's edge)
    seen = [[lex[j][3][off] + ctx[j][1][off] if 0 <= j < n else _EDGE[off] for j in range(off, n + off)]
            for off in _OFFSETS]
    out = []
    for i, ((w, t2, own, _s), (ctx_own, _c), before, after, before2, after2) in enumerate(zip(lex, ctx, *seen)):
        f = ["bias", *own, *ctx_own, *before, *after, *before2, *after2]
        if i > 0:
            f += (f"e-1e={ents[i - 1]}|{ents[i]}", f"w-1w={lex[i - 1][0]}|{w}", f"t-1t={lex[i - 1][1]}|{t2}")
        if i + 1 < n:
            f += (f"ww+1={w}|{lex[i + 1][0]}", f"tt+1={t2}|{lex[i + 1][1]}")
        out.append(f)
    return out


def _bunsetu_starts(tokens) -> set[int]:
    if not tokens:
        return set()
    doc = tokens[0].doc
    labels = doc.user_data.get("bunsetu_bi_labels") if doc.user_data else None
    if not labels:
        return set()
    return {t.i for t in tokens if t.i < len(labels) and labels[t.i] == "B"}


def span_features(tokens, a: int, b: int, sources=(), known=None, words: Words | None = None) -> list[str]:
    """Features of the span ``tokens[a:b]`` for the span typer: who proposed it (``sources``:
    crf:Class, gaz, ner, run, quote), its words, its last characters (the head of a Japanese
    name: 駅, 党, 社, 大学), GiNZA's labels inside, the words around, the word clusters and
    content words within ``CONTEXT`` tokens (what the sentence is about: 発売, 選挙, 出場), and
    what the training data called the same name (``known``: label counts, default the shipped
    name memory; training passes counts from the other documents only). ``words``: the
    ``Words`` of all ``tokens``, if the caller has them (one pass per sentence, not per span)."""
    words = Words(tokens) if words is None else words
    form, lemma, tag, ent_type, n = words.form, words.lemma, words.tag, words.ent_type, len(tokens)
    text = unicodedata.normalize("NFKC", "".join(words.text_ws[a:b]).strip())
    f = ["bias", f"L={form[b - 1]}", f"Ll={lemma[b - 1]}", f"Lt={tag[b - 1]}", f"F={form[a]}", f"Ft={tag[a]}",
         f"c1={text[-1:]}", f"c2={text[-2:]}", f"c3={text[-3:]}", f"p1={text[:1]}", f"p2={text[:2]}",
         f"s={_shape(text)}", f"n={min(len(text), 12)}", f"k={min(b - a, 5)}"]
    f.extend(f"w={x}" for x in form[a:b])
    f.extend(f"t={x}" for x in tag[a:b])
    f.extend(f"e={x or 'O'}" for x in ent_type[a:b])
    f.append(f"eF={words.ent_iob[a]}{ent_type[a]}")
    for off in (-2, -1):
        j = a + off
        f.append(f"{off}={form[j] if j >= 0 else '<s>'}")
    for off in (0, 1, 2):
        j = b + off
        f.append(f"+{off}={form[j] if j < n else '</s>'}")
        if j < n:
            f.append(f"+{off}l={lemma[j]}")
    if b + 1 < n:
        f.append(f"+01={words.text[b]}|{lemma[b + 1]}")
    srcs = sorted(sources) or ["none"]
    f.extend(f"src={x}" for x in srcs)
    f.append("srcs=" + "+".join(x.split(":")[0] for x in srcs))
    clusters = words.clusters
    f.append(f"Lc={clusters[b - 1]}")
    f.append(f"Fc={clusters[a]}")
    f.extend(f"wc={c}" for c in clusters[a:b])
    for j in words.around(a, b):
        f.append(f"cw={lemma[j]}")
        f.append(f"cc={clusters[j]}")
    last, first = tokens[b - 1], tokens[a]
    head = last.head
    if head.i != last.i and not (first.i <= head.i <= last.i):
        f.append(f"h={head.lemma_}")
        f.append(f"hd={last.dep_}|{head.lemma_}")
    f.extend(memory_features(memory().get(name_key(text), {}) if known is None else known))
    # Sudachi's short units at the name's edges: the head word inside a long token (東京大学 ->
    # 大学, 横浜アリーナ -> アリーナ), and the first (a place in 東京ガス)
    for tok, name, at in ((last, "La", -1), (first, "Fa", 0)):
        units = short_units(tok)
        if units:
            f.append(f"{name}={unicodedata.normalize('NFKC', units[at][0])}")
            f.append(f"{name}t={units[at][1]}")
    return f


def short_units(tok):
    """Sudachi's short units of a word GiNZA keeps whole (東京大学 -> 東京, 大学; 名誉教授 -> 名誉,
    教授), each a DetailedToken(surface, tag, ...) or its tuple from a DocBin; None for a word of
    one unit."""
    subs = tok.doc.user_data.get("sub_tokens") or []
    units = subs[tok.i][0] if tok.i < len(subs) and subs[tok.i] else None
    return units if units and len(units) > 1 else None


def memory_features(counts) -> list[str]:
    """Features of how the training data labelled a name (``counts``: label -> times, the typer's
    labels and NOT_A_NAME): each label seen, with its share (all, most, some) and how often."""
    total = sum(counts.values())
    if not total:
        return ["m=none"]
    n = "1" if total == 1 else "2" if total == 2 else "3" if total <= 4 else "5"
    out = [f"mn={n}"]
    for label, k in sorted(counts.items()):
        share = "all" if k == total else "most" if 2 * k > total else "some"
        out.extend((f"m={label}", f"m={label}|{share}", f"m={label}|{share}|{n}"))
    return out


MEMORY_FILE = "name-memory.tsv"


@lru_cache(maxsize=1)
def memory() -> dict[str, dict[str, int]]:
    """The name memory (ontologies/name-memory.tsv, written by ``scripts/train_tagger.py``): for
    every span the typer was trained on, by ``lexicon.name_key``, how often the train split labelled
    it with each class or NOT_A_NAME."""
    with resource_path("kg.ontologies", MEMORY_FILE).open("r", encoding="utf-8") as f:
        return read_memory(f)


def read_memory(lines) -> dict[str, dict[str, int]]:
    """Name memory lines ``key<TAB>label:count label:count...`` as {key: {label: count}}."""
    out = {}
    for line in lines:
        key, _tab, counts = line.rstrip("\n").partition("\t")
        out[key] = {label: int(k) for label, _c, k in (x.rpartition(":") for x in counts.split(" "))}
    return out


CONTEXT = 6  # words either side of a span whose lemmas and clusters the typer sees
_CONTENT = {"NOUN", "PROPN", "VERB", "ADJ"}
CLUSTERS_FILE = "word-clusters.npz"


@lru_cache(maxsize=1)
def _clusters():
    """(sorted word hashes, cluster of each, row of each in the reduced vectors): the k-means
    cluster of every word GiNZA has a vector for, and where its reduced vector (GiNZA's vectors on
    their VECTOR_DIMS principal axes) is, keyed by spaCy's hash of its text, so that a Doc read
    back from the cache without vectors gets the same features (built by ``scripts/train_tagger.py
    --clusters``, the vectors alone by ``--vectors``)."""
    import numpy

    with resource_path("kg.ontologies", CLUSTERS_FILE).open("rb") as f:
        data = numpy.load(f)
        return data["keys"], data["clusters"], data["rows"]


@lru_cache(maxsize=1)
def reduced_vectors():
    """The reduced word vectors (float32, one row each, as ``Words.rows`` points): read for
    training only; at run time the span typer looks up their share of its scores
    (``_word_scores``)."""
    import numpy

    with resource_path("kg.ontologies", CLUSTERS_FILE).open("rb") as f:
        return numpy.load(f)["vectors"].astype(numpy.float32)


def word_clusters(tokens) -> list[int]:
    """The word cluster of each token, by its surface, else its normalised form; -1 for none."""
    return Words(tokens).clusters


@lru_cache(maxsize=65536)
def _word(orth: int, norm: int) -> tuple[int, int]:
    """A word's cluster and the row of its reduced vector, by its surface, else its normalised
    form; (-1, -1) for a word GiNZA has no vector for."""
    import numpy

    keys, clusters, rows = _clusters()
    for key in (orth, norm):
        at = int(keys.searchsorted(numpy.uint64(key)))
        if at < len(keys) and int(keys[at]) == key:
            return int(clusters[at]), int(rows[at])
    return -1, -1


VECTOR_DIMS = 64
VECTOR_WEIGHT = 2.0  # the reduced vectors have mean norm 1; this scales their feature values
VECTOR_PARTS = "LMC"  # the span's last word, the mean of its words, of the content words around
VECTOR_NAMES = {part: tuple(f"v{part}{i}" for i in range(VECTOR_DIMS)) for part in VECTOR_PARTS}


def word_vectors(words: Words):
    """The reduced vector of each of a sentence's ``Words`` (a row of a float32 array; zeros for
    a word without one) and which words have one (a list of bools)."""
    import numpy

    vectors = reduced_vectors()
    known = [r >= 0 for r in words.rows]
    out = numpy.zeros((len(known), vectors.shape[1]), dtype=numpy.float32)
    if any(known):
        out[known] = vectors[[r for r in words.rows if r >= 0]]
    return out, known


def _vector_rows(words: Words, a: int, b: int, known) -> dict[str, list[int]]:
    """The words each vector part of the span ``[a, b)`` averages, those with a vector."""
    rows = {"L": [b - 1], "M": range(a, b), "C": words.around(a, b)}
    return {part: [j for j in rows[part] if known[j]] for part in VECTOR_PARTS}


def vector_features(tokens, a: int, b: int) -> dict[str, float]:
    """Real-valued features of the span ``tokens[a:b]`` for training the span typer, from the
    reduced word vectors: its last word's (vL0...), the mean of its words' (vM) and of the content
    words within ``CONTEXT`` tokens either side (vC). At run time ``classify`` adds their weights'
    share of the typer's scores itself (``score_spans``), which is the same and much cheaper."""
    import numpy

    words = Words(tokens)
    vectors, known = word_vectors(words)
    out: dict[str, float] = {}
    for part, rows in _vector_rows(words, a, b, known).items():
        if rows:
            out.update(zip(VECTOR_NAMES[part], (numpy.mean(vectors[rows], 0) * VECTOR_WEIGHT).tolist()))
    return out


def typer_item(tokens, a: int, b: int, sources=(), known=None) -> dict[str, float]:
    """What the span typer is trained on for ``tokens[a:b]``: ``span_features`` (each counted as
    often as it occurs) and ``vector_features``."""
    item: dict[str, float] = {}
    for f in span_features(tokens, a, b, sources, known):
        item[f] = item.get(f, 0.0) + 1.0
    item.update(vector_features(tokens, a, b))
    return item


TYPER_VECTORS_FILE = "mention-typer-vectors.npz"


@lru_cache(maxsize=1)
def _word_scores():
    """(labels, table): for each row of the reduced vectors, its share of the span typer's score
    of every label as a span's last word (``L``), as one of its words (``M``) and as a content word
    around it (``C``): the vector times the typer's weights of its vector features, made by
    ``scripts/train_tagger.py``, so that run time only looks up and adds. Columns: L, M, 1, C, 1
    (the ones count the words summed); one more row, of zeros, stands for row -1 (no vector)."""
    import numpy

    with resource_path("kg.ontologies", TYPER_VECTORS_FILE).open("rb") as f:
        data = numpy.load(f)
        labels, scores = tuple(str(x) for x in data["labels"]), data["scores"].astype(numpy.float64)
    n = len(labels)
    ones = numpy.ones((len(scores), 1))
    table = numpy.hstack([scores[:, :2 * n], ones, scores[:, 2 * n:], ones])
    return labels, numpy.vstack([table, numpy.zeros((1, table.shape[1]))])


def score_spans(sentences: list[Words], spans: list) -> None:
    """The vector features' share of the typer's score of each label for the spans ``[a, b)`` of
    each sentence's ``Words`` (``spans``: for each sentence, its (a, b) pairs), all at once:
    ``vector_features`` times the weights, made into factors of the probabilities (the exponents
    of the scores less the largest), or None if no word of the span or around it has a vector.
    Kept in ``Words.shares``. The means are differences of running sums over all the words."""
    import numpy

    labels, table = _word_scores()
    n = len(labels)
    words = table[[r for w in sentences for r in w.rows]]
    if not len(words):
        return
    words[:, 2 * n + 1:] *= numpy.array([p in _CONTENT for w in sentences for p in w.pos])[:, None]
    running = numpy.zeros((len(words) + 1, 2 * n + 2))  # sums of M, count, C, count before each word
    numpy.cumsum(words[:, n:], 0, out=running[1:])
    keys, at = [], []  # each span's Words and (a, b); its (a, b) and context (lo, hi) among all the words
    start = 0
    for w, pairs in zip(sentences, spans):
        size = len(w.rows)
        for a, b in pairs:
            keys.append((w, a, b))
            at.append((start + a, start + b, start + max(0, a - CONTEXT), start + min(size, b + CONTEXT)))
        start += size
    if not at:
        return
    a, b, lo, hi = numpy.array(at, dtype=numpy.int64).T
    inside = running[b] - running[a]
    mean = inside[:, :n + 1]
    around = running[hi, n + 1:] - running[lo, n + 1:] - inside[:, n + 1:]
    k_mean, k_around = mean[:, n], around[:, n]
    total = (words[b - 1, :n] + mean[:, :n] * ((k_mean > 0) / numpy.maximum(k_mean, 1))[:, None]
             + around[:, :n] * ((k_around > 0) / numpy.maximum(k_around, 1))[:, None]) * VECTOR_WEIGHT
    share = numpy.exp(total - total.max(1, keepdims=True)).tolist()
    for (w, a0, b0), x, none in zip(keys, share, ((k_mean == 0) & (k_around == 0)).tolist()):
        w.shares[(a0, b0)] = None if none else x


def _open(name: str):
    import pycrfsuite

    tagger = pycrfsuite.Tagger()
    with as_file(resource_path("kg.ontologies", name)) as file:
        tagger.open(str(file))
    return tagger


@lru_cache(maxsize=1)
def _tagger():
    return _open(MODEL_FILE)


@lru_cache(maxsize=1)
def _typer():
    return _open(TYPER_FILE)


@lru_cache(maxsize=1)
def _typer_labels() -> tuple[str, ...]:
    return tuple(_typer().labels())


@lru_cache(maxsize=1)
def available() -> bool:
    return all(resource_path("kg.ontologies", n).is_file()
               for n in (MODEL_FILE, TYPER_FILE, TYPER_VECTORS_FILE, CLUSTERS_FILE, MEMORY_FILE))


def tag(tokens, words: Words | None = None) -> list[tuple[int, int, str]]:
    """Spans the model finds in one sentence: (first token index in ``tokens``, end index,
    class). ``words``: the ``Words`` of ``tokens``, if the caller has them."""
    if not tokens or not available():
        return []
    return spans_of(_tagger().tag(sentence_features(tokens, words)))


def spans_of(labels: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, class) of the spans in a BIO label sequence."""
    spans = []
    i, n = 0, len(labels)
    while i < n:
        if labels[i] == "O":
            i += 1
            continue
        cls = labels[i][2:]
        j = i + 1
        while j < n and labels[j] == f"I-{cls}":
            j += 1
        spans.append((i, j, cls))
        i = j
    return spans


def classify(tokens, a: int, b: int, sources=(), words: Words | None = None) -> tuple[str | None, float, float] | None:
    """The span typer on ``tokens[a:b]``: (best class, its probability among classes, the
    probability that the span names anything), or None without a model. ``words``: the ``Words``
    of all ``tokens``, if the caller has them.

    The typer is a maximum-entropy model, so a label's probability is proportional to the
    exponent of its score, a sum over the features: crfsuite scores the string features, and the
    vector features' share is added here (``Words.share``)."""
    if not available() or not 0 <= a < b <= len(tokens):
        return None
    words = Words(tokens) if words is None else words
    typer = _typer()
    typer.set([span_features(tokens, a, b, sources, words=words)])
    probs = {lab: typer.marginal(lab, 0) for lab in _typer_labels()}
    share = words.share(a, b)
    if share is not None:
        labels = _word_scores()[0]
        total = sum(probs[lab] * x for lab, x in zip(labels, share))
        probs = {lab: probs[lab] * x / total for lab, x in zip(labels, share)}
    p_name = 1.0 - probs.pop(NOT_A_NAME, 0.0)
    if not probs:
        return None, 0.0, p_name
    best = max(sorted(probs), key=probs.get)
    return best, probs[best] / p_name if p_name > 0 else 0.0, p_name
