"""Mentions stage: find the spans of a parsed chunk that name something.

GiNZA's NER is one source among several: gazetteer matches (ontologies/gazetteer.tsv), runs of
proper nouns and Latin-script words, names followed by an honorific (X氏), 「」-quoted names with
a classifier (「X」と呼ばれるチップ, モデル「X」). Spans are trimmed of particles, honorifics and
corporate affixes, which become typing evidence instead. Overlaps are settled longest first.

Output is plain data (``Candidate``); the entities stage types and resolves them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import lexicon
from .vocab import resource_path

# Evidence weights, strongest first. Typing in the entities stage sums them per class.
W_GAZETTEER = 10
W_SUFFIX = 6
W_CLASSIFIER = 5
W_NER = 3
W_NAME_TAG = 3
W_SHAPE = 1

_LATIN = re.compile(r"^[A-Za-z][A-Za-z0-9.\-&'+]*$|^[0-9]+[A-Za-z][A-Za-z0-9.\-]*$")
_KATAKANA = re.compile(r"^[\u30a1-\u30fa\u30fc\u30fd\u30fe\uff66-\uff9f]+$")
_DOTS = {"・", "･", "="}
_OPEN_QUOTES = {"「": "」", "『": "』", "“": "”", '"': '"'}
_BRACKETS = set("「」『』【】()（）[]〔〕“”\"")
_NAMING_VERBS = {"呼ぶ", "言う", "いう", "名付ける", "称する", "名乗る"}
_PREFIX_STRIP = {"同", "各", "元", "前", "現", "新", "旧", "米", "英", "独", "仏", "中", "韓", "日"}


@dataclass(frozen=True)
class Candidate:
    """A mention candidate with the evidence for its class. Offsets are document offsets."""

    begin: int
    end: int
    text: str
    sentence: int
    evidence: tuple[tuple[str, int, str], ...]  # (class, weight, source)
    reading: str = ""  # katakana reading from the tokenizer
    norm: str = ""  # Sudachi normalised form (マイクロソフト -> Microsoft)
    gazetteer_id: str | None = None
    person_name_parts: int = 0  # how many name tokens (人名 tags) it holds


@dataclass(frozen=True)
class Cue:
    cue: str
    where: str
    cls: str
    part_of_name: bool


@lru_cache(maxsize=1)
def cues() -> dict[tuple[str, str], Cue]:
    out = {}
    with resource_path("kg.ontologies", "type-cues.tsv").open("r", encoding="utf-8") as f:
        import csv

        for row in csv.DictReader(f, delimiter="\t"):
            c = Cue(lexicon.nfkc(row["cue"]), row["where"], row["class"], row.get("part_of_name") == "yes")
            out[(c.cue, c.where)] = c
    return out


def _cue(text: str, where: str) -> Cue | None:
    return cues().get((lexicon.nfkc(text), where))


def is_latin(tok) -> bool:
    return bool(_LATIN.match(tok.text))


def is_katakana(tok) -> bool:
    return bool(_KATAKANA.match(tok.text))


def _is_name_token(tok) -> bool:
    if tok.tag_.startswith("名詞-固有名詞"):
        return True
    if is_latin(tok) and tok.pos_ in ("PROPN", "NOUN", "PRON", "X"):
        return True
    return False


def _reading(tokens) -> str:
    parts = []
    for t in tokens:
        r = t.morph.get("Reading")
        parts.append(r[0] if r else t.text)
    return "".join(parts)


def _norm(tokens) -> str:
    out = ""
    for t in tokens:
        if out and t.i > 0 and t.doc[t.i - 1].whitespace_:
            out += " "
        out += t.norm_
    return out


def detect(doc, offset: int = 0, sentence_base: int = 0) -> list[Candidate]:
    """Mention candidates of one parsed chunk; ``offset`` is the chunk's place in the document."""
    found: list[tuple[int, int, int, list]] = []  # (start token, end token, priority, evidence)
    for sent_no, sent in enumerate(doc.sents):
        toks = list(sent)
        _gazetteer_spans(toks, found)
        _ner_spans(sent, found)
        _name_runs(toks, found)
        _quoted(toks, found)
    chosen = _settle_overlaps(found)
    sent_starts = [s.start for s in doc.sents]
    out = []
    for start, end, _prio, evidence in chosen:
        span = doc[start:end]
        if not _acceptable(span):
            continue
        ev = list(evidence)
        _context_evidence(doc, start, end, ev)
        gid = next((src.split(":", 1)[1] for _, _, src in ev if src.startswith("gazetteer:")), None)
        sent_no = sum(1 for s in sent_starts if s <= start) - 1
        out.append(
            Candidate(
                begin=offset + span.start_char,
                end=offset + span.end_char,
                text=span.text,
                sentence=sentence_base + sent_no,
                evidence=tuple(sorted(set(ev), key=lambda e: (-e[1], e[0], e[2]))),
                reading=_reading(span),
                norm=_norm(span),
                gazetteer_id=gid,
                person_name_parts=sum(1 for t in span if t.tag_.startswith("名詞-固有名詞-人名")),
            )
        )
    return out


def _acceptable(span) -> bool:
    text = span.text.strip()
    if not text or len(text) > 60:
        return False
    if lexicon.name_key(text) in lexicon.not_names():
        return False
    if all(t.is_punct or t.is_space or t.like_num for t in span):
        return False
    if any(c in _BRACKETS for c in text):
        return False
    return True


def _trim(tokens, start: int, end: int, evidence: list) -> tuple[int, int]:
    """Drop particles, punctuation, honorifics and affixes at the edges, keeping them as evidence."""
    doc = tokens[0].doc if tokens else None
    while start < end:
        t = doc[start]
        cue = _cue(t.text, "prefix")
        if cue and not cue.part_of_name:
            evidence.append((cue.cls, W_SUFFIX, f"prefix:{cue.cue}"))
            start += 1
        elif t.pos_ in ("ADP", "PUNCT", "SYM", "AUX", "SCONJ", "CCONJ", "DET") or t.is_space or t.text in _PREFIX_STRIP and end - start > 1:
            start += 1
        else:
            break
    while end > start:
        t = doc[end - 1]
        cue = _cue(t.text, "suffix")
        if cue and not cue.part_of_name and end - start > 1:
            evidence.append((cue.cls, W_SUFFIX, f"suffix:{cue.cue}"))
            end -= 1
        elif t.pos_ in ("ADP", "PUNCT", "SYM", "AUX", "SCONJ", "CCONJ") or t.is_space:
            end -= 1
        else:
            break
    return start, end


def _gazetteer_spans(toks, found) -> None:
    index = lexicon.gazetteer_index()
    n = len(toks)
    i = 0
    while i < n:
        hit = None
        for j in range(min(n, i + 8), i, -1):
            entry = index.get(lexicon.name_key("".join(t.text_with_ws for t in toks[i:j]).strip()))
            if entry is not None:
                hit = (j, entry)
                break
        if hit is None:
            i += 1
            continue
        j, entry = hit
        found.append((toks[i].i, toks[j - 1].i + 1, 4, [(entry.cls, W_GAZETTEER, f"gazetteer:{entry.id}")]))
        i = j


def _ner_spans(sent, found) -> None:
    table = lexicon.ene_classes()
    for ent in sent.ents:
        if any(c in _BRACKETS for c in ent.text):
            continue
        cls = table.get(ent.label_)
        evidence: list = []
        start, end = _trim(list(ent), ent.start, ent.end, evidence)
        if start >= end:
            continue
        if cls is not None:
            evidence.append((cls, W_NER, f"ner:{ent.label_}"))
        elif not evidence:
            continue  # a label that names no entity (money, dates, job titles), and no cue
        found.append((start, end, 2, evidence))


def _name_runs(toks, found) -> None:
    """Maximal runs of name tokens, joined by middle dots or (Latin) single spaces."""
    i, n = 0, len(toks)
    while i < n:
        t = toks[i]
        starts_name = _is_name_token(t) or (is_katakana(t) and i + 2 < n and toks[i + 1].text in _DOTS and is_katakana(toks[i + 2]))
        if not starts_name:
            i += 1
            continue
        j = i + 1
        while j < n:
            u = toks[j]
            if u.text in _DOTS and j + 1 < n and (is_katakana(toks[j + 1]) or _is_name_token(toks[j + 1])):
                j += 2
                continue
            if _is_name_token(u) and (is_latin(u) == is_latin(toks[j - 1]) or not toks[j - 1].whitespace_):
                j += 1
                continue
            if is_katakana(u) and toks[j - 1].text in _DOTS:
                j += 1
                continue
            break
        run = toks[i:j]
        evidence: list = []
        person_parts = sum(1 for x in run if x.tag_.startswith("名詞-固有名詞-人名"))
        if person_parts:
            evidence.append(("Person", W_NAME_TAG, "tag:人名"))
        elif any(x.tag_.startswith("名詞-固有名詞-地名") for x in run):
            evidence.append(("Place", W_NAME_TAG, "tag:地名"))
        elif any(x.text in _DOTS for x in run) and all(is_katakana(x) or x.text in _DOTS for x in run):
            evidence.append(("Person", W_SHAPE, "shape:katakana-dotted"))
        found.append((run[0].i, run[-1].i + 1, 1, evidence))
        i = j


def _quoted(toks, found) -> None:
    """「X」 with a classifier: 「X」と呼ばれるチップ, 「X」というモデル, モデル「X」, or a Latin name."""
    n = len(toks)
    for i, t in enumerate(toks):
        close = _OPEN_QUOTES.get(t.text)
        if close is None:
            continue
        j = i + 1
        while j < n and toks[j].text != close and j - i <= 12:
            j += 1
        if j >= n or toks[j].text != close or j == i + 1:
            continue
        inner = toks[i + 1:j]
        if any(x.pos_ in ("VERB", "AUX") and not is_latin(x) for x in inner) or len(inner) > 8:
            continue
        cls = _classifier_after(toks, j + 1) or _classifier_before(toks, i)
        if cls is None:
            if not all(is_latin(x) or x.text in _DOTS or x.like_num for x in inner):
                continue
            evidence = []
        else:
            evidence = [(cls, W_CLASSIFIER, "classifier")]
        found.append((inner[0].i, inner[-1].i + 1, 3, evidence))


def _classifier_after(toks, k: int) -> str | None:
    """と呼ばれる/という/などの + classifier noun, reading up to the noun's compound head."""
    n = len(toks)
    if k < n and toks[k].text in ("と", "って"):
        k += 1
        if k >= n or toks[k].lemma_ not in _NAMING_VERBS:
            return None
        while k < n and (toks[k].lemma_ in _NAMING_VERBS or toks[k].pos_ == "AUX"):
            k += 1
    elif k < n and toks[k].text == "の":
        return None
    for m in range(k, min(n, k + 5)):
        c = _cue(toks[m].text, "classifier") or _cue(toks[m].lemma_, "classifier")
        if c:
            return c.cls
        if toks[m].pos_ not in ("NOUN", "PROPN", "ADJ", "ADP") or toks[m].text in ("を", "が", "は", "に", "で", "、"):
            break
    return None


def _classifier_before(toks, i: int) -> str | None:
    if i >= 1:
        c = _cue(toks[i - 1].text, "classifier")
        if c:
            return c.cls
    return None


def _context_evidence(doc, start: int, end: int, ev: list) -> None:
    """Cues right after or before the span (X氏, X社, 株式会社X) add typing evidence."""
    if end < len(doc):
        c = _cue(doc[end].text, "suffix")
        if c:
            ev.append((c.cls, W_SUFFIX, f"suffix:{c.cue}"))
        cls = _classifier_after(doc, end)
        if cls:
            ev.append((cls, W_CLASSIFIER, "classifier"))
    if start > 0:
        c = _cue(doc[start - 1].text, "prefix")
        if c:
            ev.append((c.cls, W_SUFFIX, f"prefix:{c.cue}"))


def _settle_overlaps(found):
    """Keep non-overlapping spans: higher priority, then longer, then earlier; merge evidence of
    identical spans."""
    merged: dict[tuple[int, int], list] = {}
    prio: dict[tuple[int, int], int] = {}
    for start, end, p, ev in found:
        key = (start, end)
        merged.setdefault(key, []).extend(ev)
        prio[key] = max(prio.get(key, 0), p)
    order = sorted(merged, key=lambda k: (-(k[1] - k[0]), -prio[k], k[0]))
    taken: list[tuple[int, int]] = []
    out = []
    for key in order:
        s, e = key
        if any(s < te and ts < e for ts, te in taken):
            # the loser's evidence still counts when it covers the same words exactly
            continue
        taken.append(key)
        out.append((s, e, prio[key], merged[key]))
    out.sort()
    return out
