"""A learned mention tagger: a linear-chain CRF over GiNZA tokens, one of the mentions stage's
sources of spans and class evidence.

Features are the token's surface, lemma, part of speech, character classes and affixes, word
cluster (k-means of GiNZA's word vectors, ontologies/word-clusters.npz), GiNZA's ENE label,
bunsetsu and quote position, and the same of its neighbours. Labels are BIO
tags over the classes of ontologies/kg.ttl (``B-Person``, ``I-Company``...). The model
(ontologies/mention-crf.model) is trained reproducibly by ``scripts/train_tagger.py`` on the
train split of stockmark's Wikipedia NER data and read with python-crfsuite; tagging is offline
and costs a few percent of the parse. A second model, the span typer
(ontologies/mention-typer.model), judges each candidate span whole; among its features is the
name memory (ontologies/name-memory.tsv): how the train split labelled the same string.
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


_LEX_SELF = ("w", "l", "t", "t2", "p", "s", "f1", "f2", "e1", "e2", "e3", "n", "c")
_LEX_NEAR = ("w", "l", "t2", "s", "e1", "c")
_LEX_FAR = ("w", "t2", "c")
_CTX_SELF = ("ent", "q", "b", "d", "bp", "sa")
_CTX_NEAR = ("ent", "b", "bp")
_CTX_FAR = ("et",)
_OFFSETS = (-1, 1, -2, 2)


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
    own = tuple(f"{k}={v[k]}" for k in _LEX_SELF)
    seen = {off: tuple(f"{off}:{k}={v[k]}" for k in (_LEX_NEAR if abs(off) == 1 else _LEX_FAR)) for off in _OFFSETS}
    return v["w"], v["t2"], own, seen


@lru_cache(maxsize=65536)
def _context(ent: str, et: str, q: str, b: str, d: str, bp: str, sa: str):
    """Features of a token's place (GiNZA's entity label, quotes, bunsetsu, dependency), its own
    and as seen from each neighbour offset; cached like ``_lexical``."""
    v = {"ent": ent, "et": et, "q": q, "b": b, "d": d, "bp": bp, "sa": sa}
    own = tuple(f"{k}={v[k]}" for k in _CTX_SELF)
    seen = {off: tuple(f"{off}:{k}={v[k]}" for k in (_CTX_NEAR if abs(off) == 1 else _CTX_FAR)) for off in _OFFSETS}
    return own, seen


_EDGE = {off: (f"{off}:edge",) for off in _OFFSETS}


def sentence_features(tokens) -> list[list[str]]:
    """crfsuite feature strings for each token of one sentence."""
    bunsetu_starts = _bunsetu_starts(tokens)
    ud = tokens[0].doc.user_data if tokens else {}
    positions = ud.get("bunsetu_position_types") or []
    subs = ud.get("sub_tokens") or []
    clusters = word_clusters(tokens)
    depth = 0
    lex, ctx, ents = [], [], []
    for t in tokens:
        text = t.text
        if text in _CLOSE:
            depth = max(0, depth - 1)
        i = t.i
        sub = ""
        if i < len(subs) and subs[i] and subs[i][0]:
            a_units = subs[i][0]
            sub = f"{a_units[0][0]}|{a_units[-1][0]}"  # DetailedToken or its tuple from a DocBin
        et = t.ent_type_
        ent = f"{t.ent_iob_}-{et}" if et else "O"
        ents.append(ent)
        ctx.append(_context(ent, et or "O", "1" if depth > 0 else "0", "1" if i in bunsetu_starts else "0", t.dep_,
                            positions[i] if i < len(positions) else "", sub))
        lex.append(_lexical(text, t.lemma_, t.tag_, t.pos_, clusters[len(lex)]))
        if text in _OPEN:
            depth += 1
    n = len(tokens)
    out = []
    for i in range(n):
        w, t2, own, _seen = lex[i]
        f = ["bias", *own, *ctx[i][0]]
        for off in _OFFSETS:
            j = i + off
            if 0 <= j < n:
                f.extend(lex[j][3][off])
                f.extend(ctx[j][1][off])
            else:
                f.extend(_EDGE[off])
        if i > 0:
            f.append(f"e-1e={ents[i - 1]}|{ents[i]}")
            f.append(f"w-1w={lex[i - 1][0]}|{w}")
            f.append(f"t-1t={lex[i - 1][1]}|{t2}")
        if i + 1 < n:
            f.append(f"ww+1={w}|{lex[i + 1][0]}")
            f.append(f"tt+1={t2}|{lex[i + 1][1]}")
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


def span_features(tokens, a: int, b: int, sources=(), known=None, clusters=None) -> list[str]:
    """Features of the span ``tokens[a:b]`` for the span typer: who proposed it (``sources``:
    crf:Class, gaz, ner, run, quote), its words, its last characters (the head of a Japanese
    name: 駅, 党, 社, 大学), GiNZA's labels inside, the words around, the word clusters and
    content words within ``CONTEXT`` tokens (what the sentence is about: 発売, 選挙, 出場), and
    what the training data called the same name (``known``: label counts, default the shipped
    name memory; training passes counts from the other documents only). ``clusters``: the word
    clusters of all ``tokens``, if the caller has them (one pass per sentence, not per span)."""
    span = tokens[a:b]
    text = unicodedata.normalize("NFKC", "".join(t.text_with_ws for t in span).strip())
    last, first = span[-1], span[0]
    f = ["bias", f"L={unicodedata.normalize('NFKC', last.text)}", f"Ll={last.lemma_}", f"Lt={last.tag_}",
         f"F={unicodedata.normalize('NFKC', first.text)}", f"Ft={first.tag_}",
         f"c1={text[-1:]}", f"c2={text[-2:]}", f"c3={text[-3:]}", f"p1={text[:1]}", f"p2={text[:2]}",
         f"s={_shape(text)}", f"n={min(len(text), 12)}", f"k={min(b - a, 5)}"]
    f.extend(f"w={unicodedata.normalize('NFKC', t.text)}" for t in span)
    f.extend(f"t={t.tag_}" for t in span)
    f.extend(f"e={t.ent_type_ or 'O'}" for t in span)
    f.append(f"eF={first.ent_iob_}{first.ent_type_}")
    for off in (-2, -1):
        j = a + off
        f.append(f"{off}={unicodedata.normalize('NFKC', tokens[j].text) if j >= 0 else '<s>'}")
    for off in (0, 1, 2):
        j = b + off
        f.append(f"+{off}={unicodedata.normalize('NFKC', tokens[j].text) if j < len(tokens) else '</s>'}")
        if j < len(tokens):
            f.append(f"+{off}l={tokens[j].lemma_}")
    if b + 1 < len(tokens):
        f.append(f"+01={tokens[b].text}|{tokens[b + 1].lemma_}")
    srcs = sorted(sources) or ["none"]
    f.extend(f"src={x}" for x in srcs)
    f.append("srcs=" + "+".join(x.split(":")[0] for x in srcs))
    lo, hi = max(0, a - CONTEXT), min(len(tokens), b + CONTEXT)
    clusters = word_clusters(tokens[lo:hi]) if clusters is None else clusters[lo:hi]
    f.append(f"Lc={clusters[b - 1 - lo]}")
    f.append(f"Fc={clusters[a - lo]}")
    f.extend(f"wc={c}" for c in clusters[a - lo:b - lo])
    for j in range(lo, hi):
        if (j < a or j >= b) and tokens[j].pos_ in _CONTENT:
            f.append(f"cw={tokens[j].lemma_}")
            f.append(f"cc={clusters[j - lo]}")
    head = last.head
    if head.i != last.i and not (span[0].i <= head.i <= span[-1].i):
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
    """(sorted word hashes, cluster of each): the k-means cluster of every word GiNZA has a
    vector for, keyed by spaCy's hash of its text, so that a Doc read back from the cache
    without vectors gets the same features (built by ``scripts/train_tagger.py --clusters``)."""
    import numpy

    with resource_path("kg.ontologies", CLUSTERS_FILE).open("rb") as f:
        data = numpy.load(f)
        return data["keys"], data["clusters"]


def word_clusters(tokens) -> list[int]:
    """The word cluster of each token, by its surface, else its normalised form; -1 for none."""
    return [_cluster_of(t.orth, t.norm) for t in tokens]


@lru_cache(maxsize=65536)
def _cluster_of(orth: int, norm: int) -> int:
    import numpy

    keys, clusters = _clusters()
    for key in (orth, norm):
        at = int(keys.searchsorted(numpy.uint64(key)))
        if at < len(keys) and int(keys[at]) == key:
            return int(clusters[at])
    return -1


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
    return all(resource_path("kg.ontologies", n).is_file() for n in (MODEL_FILE, TYPER_FILE, CLUSTERS_FILE, MEMORY_FILE))


def tag(tokens) -> list[tuple[int, int, str]]:
    """Spans the model finds in one sentence: (first token index in ``tokens``, end index, class)."""
    if not tokens or not available():
        return []
    return spans_of(_tagger().tag(sentence_features(tokens)))


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


def classify(tokens, a: int, b: int, sources=(), clusters=None) -> tuple[str | None, float, float] | None:
    """The span typer on ``tokens[a:b]``: (best class, its probability among classes, the
    probability that the span names anything), or None without a model. ``clusters``: as for
    ``span_features``."""
    if not available() or not 0 <= a < b <= len(tokens):
        return None
    typer = _typer()
    typer.set([span_features(tokens, a, b, sources, clusters=clusters)])
    probs = {lab: typer.marginal(lab, 0) for lab in _typer_labels()}
    p_name = 1.0 - probs.pop(NOT_A_NAME, 0.0)
    if not probs:
        return None, 0.0, p_name
    best = max(sorted(probs), key=probs.get)
    return best, probs[best] / p_name if p_name > 0 else 0.0, p_name
