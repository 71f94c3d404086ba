"""A learned source of relation facts: a pair classifier beside the rules.

Candidates are the ordered pairs of entity mentions of one sentence whose classes fit the domain
and range of some relation (in text order: the first mention, then the second). Each pair is
described by feature strings read off the sentence's analysis (syntax.py): the dependency path
between the two phrase heads (its labels, the lemmas and particles on it, its length), the word
that governs both, each side's case particle and class, the words between them, whether one is
the sentence topic or in a parenthesis after the other, and the words just after the second.
Words of other names are read as their entity's class (@Place), so that the features say how
two mentions are related rather than which names are near. World knowledge is read too: whether
ontologies/places.tsv puts the one in the country the other names. A maximum-entropy model
(python-crfsuite, one item per sequence, like the mention typer of kg/tagger.py) gives each label
``relation>`` (first -> second), ``relation<`` (second -> first) or ``O`` a probability.

The model (ontologies/relation-pairs.model) and its settings (ontologies/relation-pairs.json: the
probability threshold, a higher one for the relations whose learned facts cross-validation found
right less than half the time, and the confidence of a fact, which is the precision measured by
document-level cross-validation at that threshold) are written by ``scripts/train_relations.py``
on JacRED dev. Facts from it carry the rule id ``learned:pair-classifier.v1`` and
``learned=True`` (``kg:learned`` in the graph). The rules win: a pair the rules related in that
sentence (asserted, negated or hedged) gets nothing from the classifier. A learned fact takes the
factuality and attribution of the word governing both mentions, so a negated or hedged
predicate gives a Statement, not a triple.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import as_file
from pathlib import Path

from .. import lexicon
from ..errors import ModelError
from ..lexicon import nfkc
from ..model import Fact
from ..parse import PARENS_OPEN
from ..vocab import is_a, relations, resource_path, top_class
from .factuality import attribution, factuality
from .matchers import place_level
from .rules import RELATED
from .syntax import Sentence

RULE_ID = "learned:pair-classifier.v1"
MODEL_FILE = "relation-pairs.model"
SETTINGS_FILE = "relation-pairs.json"
NONE = "O"
_MAX_UP = 12  # dependency hops followed from a phrase head towards the root
_BETWEEN = 6  # words either end of the stretch between two mentions that the bag reads
_CONTENT = {"NOUN", "PROPN", "VERB", "ADJ", "ADP", "AUX", "SCONJ", "CCONJ", "NUM"}


@dataclass(frozen=True)
class Candidate:
    """A pair of mentions of one sentence: ``first`` comes before ``second`` in the text.
    ``labels`` are those whose domain and range the two classes fit; ``governor`` is the token
    governing both (for factuality); ``ruled`` the relations the rules found between them there."""

    first: str
    second: str
    begin: int
    end: int
    labels: tuple[str, ...]
    features: tuple[str, ...]
    governor: int
    ruled: frozenset[str]


@lru_cache(maxsize=None)
def fitting_labels(first: str, second: str) -> tuple[str, ...]:
    """The labels whose relation's domain and range the classes fit: ``rel>`` for first rel
    second, ``rel<`` for second rel first. Only relations that JacRED maps (those a model can learn)."""
    out = []
    for name, info in relations().items():
        if not info.jacred or info.jacred.strip() == "-":
            continue
        if is_a(first, info.domain) and is_a(second, info.range):
            out.append(f"{name}>")
        if is_a(second, info.domain) and is_a(first, info.range) and not info.symmetric:
            out.append(f"{name}<")
    return tuple(out)


def candidates(s: Sentence, found: Sequence[Fact]) -> list[Candidate]:
    """Every pair of entity mentions of the sentence with classes some relation fits."""
    if len(s.mentions) < 2:
        return []
    heads = []
    seen = set()
    for start, end, key in s.mentions:
        cls = s.cls(key)
        if cls is None:
            continue
        heads.append((start, end, key, cls, _phrase_head(s, start, end, key), _name_features(s, start, end, cls)))
    ruled: dict[frozenset, set[str]] = {}
    for f in found:
        if f.relation != RELATED:
            ruled.setdefault(frozenset((f.subject, f.object)), set()).add(f.relation)
    known = {h[2]: place_knowledge(e.names if (e := s.entities.get(h[2])) is not None else ()) for h in heads}
    out = []
    for n, a in enumerate(heads):
        for b in heads[n + 1:]:
            if a[2] == b[2] or (a[2], b[2]) in seen:
                continue
            labels = fitting_labels(a[3], b[3])
            if not labels:
                continue
            seen.add((a[2], b[2]))
            feats, gov = _features(s, a, b)
            feats += _world_features(a, b, known)
            doc = s.doc
            begin = s.offset + doc[a[0]].idx
            last = doc[b[1] - 1]
            out.append(Candidate(a[2], b[2], begin, s.offset + last.idx + len(last.text), labels, tuple(feats), gov,
                                 frozenset(ruled.get(frozenset((a[2], b[2])), ()))))
    return out


def _phrase_head(s: Sentence, start: int, end: int, key: str):
    """The token carrying the mention's phrase: the one of the mention (or the rest of its
    bunsetsu that points to it: 氏, 社) whose head lies outside."""
    j = end
    while j < s.span.end and s.ent.get(j) == key and s.doc[j].pos_ not in ("ADP", "PUNCT", "SYM", "PART"):
        j += 1
    toks = s.doc.tokens
    for i in range(j - 1, start - 1, -1):
        h = toks[i].head_i
        if not start <= h < j or h == i:
            return toks[i]
    return toks[j - 1]


def _name_features(s: Sentence, start: int, end: int, cls: str) -> tuple[str, str, str]:
    """(GiNZA's entity label, place level, last character) of a mention's name."""
    doc = s.doc
    last = doc[end - 1]
    level = place_level(s, start, end, doc[start:end].text) if cls == "Place" else None
    return last.ent_type_ or "-", str(level or "-"), nfkc(last.text[-1:])


def _world_features(a, b, known: dict) -> list[str]:
    """The classes' top classes, and what ontologies/places.tsv knows of the two: whether one
    is a place it puts in the country the other names (オハイオ州 / アメリカ合衆国), whether both
    are places of one country; the same read off the longest start of a name it knows
    (ワシントン州レドモンド: ワシントン州). ``known`` caches ``place_knowledge`` by entity key."""
    (cty_a, in_a, pre_a), (cty_b, in_b, pre_b) = known[a[2]], known[b[2]]
    f = [f"top={top_class(a[3])}|{top_class(b[3])}", f"gaz={_known_as(known[a[2]])}{_known_as(known[b[2]])}"]
    if cty_b and cty_b in in_a:
        f.append("gaz_a_in_b")
    if cty_a and cty_a in in_b:
        f.append("gaz_b_in_a")
    if in_a and in_b:
        f.append(f"gaz_same={bool(in_a & in_b)}")
    if cty_b and cty_b in pre_a:
        f.append("pgaz_a_in_b")
    if cty_a and cty_a in pre_b:
        f.append("pgaz_b_in_a")
    if (in_a or pre_a) and (in_b or pre_b) and not (in_a and in_b):
        f.append(f"pgaz_same={bool((in_a or pre_a) & (in_b or pre_b))}")
    return f


def _known_as(knowledge: tuple) -> str:
    """How places.tsv knows a name: C a country, K a place, P a place by the start of its name, - not."""
    country, whole, start = knowledge
    return "C" if country else "K" if whole else "P" if start else "-"


def place_knowledge(names) -> tuple[str | None, frozenset[str], frozenset[str]]:
    """What ontologies/places.tsv knows of an entity of these names: (the country one of them
    names, else None; the countries it puts a place of one of the names in; the countries of the
    longest start of a name it knows, of 2 characters or more, when it knows no name whole)."""
    where, countries = lexicon.places(), lexicon.country_names()
    names = [nfkc(n) for n in names]
    country = next((min(where[n]) for n in names if n in countries), None)
    if country is not None:
        return country, frozenset(), frozenset()
    whole = frozenset().union(*(where.get(n, frozenset()) for n in names))
    if whole:
        return None, whole, frozenset()
    start = next((s for n in names if (s := lexicon.known_start(n)) is not None), None)
    return None, whole, where[start] if start is not None else frozenset()


def _word(s: Sentence, t) -> str:
    """What the features read of a word: the class of the entity whose bunsetsu it is in (@Place:
    the name and the particles after it, which the features of each side read already), PROPN or
    NUM for other names and numbers, else its lemma; so that a feature says how two mentions are
    related, not which names are near (which no other document shares). Measured by
    cross-validation this way, the particles kept as words did no better."""
    key = s.ent.get(t.i)
    if key is not None:
        return "@" + (s.cls(key) or "-")
    if t.pos_ == "PROPN":
        return "PROPN"
    if t.like_num:
        return "NUM"
    return t.lemma_


def _up(tok) -> list:
    chain = [tok]
    while len(chain) < _MAX_UP and chain[-1].head_i != chain[-1].i:
        chain.append(chain[-1].head)
    return chain


def _features(s: Sentence, a, b) -> tuple[list[str], int]:
    a_start, a_end, a_key, a_cls, ha, (ea, la, za) = a
    b_start, b_end, b_key, b_cls, hb, (eb, lb, zb) = b
    pa, pb = s.particle(ha) or "-", s.particle(hb) or "-"
    up_a, up_b = _up(ha), _up(hb)
    pos_b = {t.i: k for k, t in enumerate(up_b)}
    lca_k = next((k for k, t in enumerate(up_a) if t.i in pos_b), None)
    f = ["bias", f"ca={a_cls}", f"cb={b_cls}", f"cc={a_cls}|{b_cls}", f"pa={pa}", f"pb={pb}", f"pp={pa}|{pb}",
         f"cpa={a_cls}|{pa}", f"cpb={b_cls}|{pb}", f"ea={ea}", f"eb={eb}", f"ee={ea}|{eb}", f"lv={la}|{lb}",
         f"za={za}", f"zb={zb}", f"zz={za}|{zb}", f"sent0={s.index == 0}|{a_cls}|{b_cls}"]
    if la != "-" and lb != "-":
        f.append("lvcmp=" + ("<" if la < lb else ">" if la > lb else "="))
    if s.topic is not None:
        f.append(f"carried={s.topic.key == a_key}|{s.topic.key == b_key}")
    if a_start == s.mentions[0][0]:
        f.append("a_first")
    gov = -1
    if lca_k is None:
        f.append("nolca")
        path_len = 99
    else:
        lca = up_a[lca_k]
        gov = lca.i
        side_a, side_b = up_a[:lca_k], up_b[:pos_b[lca.i]]
        path_len = len(side_a) + len(side_b)
        dep_a = "/".join(t.dep_ for t in side_a)
        dep_b = "/".join(t.dep_ for t in side_b)
        lemma = _word(s, lca)
        f += [f"dp={dep_a}^{dep_b}", f"lca={lemma}", f"lcap={lca.pos_}", f"ccl={a_cls}|{b_cls}|{lemma}",
              f"ppl={pa}|{pb}|{lemma}", f"cpl={a_cls}|{pa}|{b_cls}|{pb}|{lemma}", f"dpl={dep_a}^{dep_b}|{lemma}"]
        if lca.i == ha.i:
            f.append("a_governs")
        elif lca.i == hb.i:
            f.append("b_governs")
        for t in side_a[1:] + side_b[1:]:
            f.append(f"pl={_word(s, t)}")
            p = s.particle(t)
            if p:
                f.append(f"pp_on={_word(s, t)}|{p}")
        for t in side_a[1:]:
            f.append(f"pla={_word(s, t)}")
        for t in side_b[1:]:
            f.append(f"plb={_word(s, t)}")
        if lca.i not in (ha.i, hb.i):
            p = s.particle(lca)
            f.append(f"lcapart={p or '-'}")
            for c in lca.children:
                if c.dep_ in ("aux", "cop") and c.i > lca.i:
                    f.append(f"lcaaux={c.lemma_}")
    f.append(f"len={min(path_len, 6)}")
    # the words between the two mentions, and around them
    doc = s.doc
    lo, hi = a_end, b_start
    gap = hi - lo
    f.append(f"gap={min(gap, 10) if gap < 10 else 10 + min(gap // 10, 3)}")
    between = range(lo, hi) if gap <= 2 * _BETWEEN else [*range(lo, lo + _BETWEEN), *range(hi - _BETWEEN, hi)]
    parens = mentions_between = 0
    for i in between:
        t = doc[i]
        if t.pos_ in _CONTENT:
            f.append(f"bw={_word(s, t)}")
        if t.text in PARENS_OPEN:
            parens += 1
    for st, _e, k in s.mentions:
        if lo <= st < hi:
            mentions_between += 1
    f.append(f"nm={min(mentions_between, 3)}")
    if parens:
        f.append("paren")
    owner = s.paren_owner().get(b_start)
    if owner is not None and owner[0] == a_key:
        f.append("in_paren_of_a")
    if gap <= 1:
        f.append(f"adj={doc[lo].text if gap == 1 else ''}")
    for off in (0, 1, 2):
        j = b_end + off
        if j < s.span.end:
            f.append(f"+{off}={nfkc(_word(s, doc[j]))}")
    if a_start - 1 >= s.span.start:
        f.append(f"-1={nfkc(_word(s, doc[a_start - 1]))}")
    if pa == "は":
        f.append("a_topic")
    if pb == "は":
        f.append("b_topic")
    root = s.span.root
    f.append(f"root={_word(s, root)}")
    return f, gov


# ---------------------------------------------------------------- the classifier


@dataclass(frozen=True)
class PairClassifier:
    """The learned source of the relations stage (``RuleSet.learned``). Holds only where its
    model is, so a RuleSet carrying it pickles to worker processes; the model is opened once per
    process on first use."""

    model: str = ""  # a model file; "" for the shipped ontologies/relation-pairs.model

    def load(self) -> tuple:
        return load_model(self.model)

    def facts(self, s: Sentence, found: Sequence[Fact]) -> list[Fact]:
        pairs = [c for c in candidates(s, found) if not c.ruled]
        if not pairs:
            return []
        return [fact_of(c, label, conf, s.index, *governor_factuality(s, c)) for c, label, conf in classified(self.load(), pairs)]


def classified(loaded: tuple, pairs: Sequence) -> list[tuple]:
    """(candidate, label, confidence) of each of ``pairs`` that the model ``loaded`` (as
    ``load_model`` returns it) relates: the label ``decide`` picks at the model's threshold, and
    the confidence its settings give that relation."""
    tagger, settings, known = loaded
    out = []
    for c in pairs:
        tagger.set([list(c.features)])
        label, _p = decide({label: tagger.marginal(label, 0) for label in c.labels if label in known}, settings["threshold"],
                           settings["thresholds"])
        if label is not None:
            out.append((c, label, settings["confidence"].get(label[:-1], settings["default_confidence"])))
    return out


def unruled(learned: Sequence[Fact], rule_facts: Sequence[Fact]) -> list[Fact]:
    """The learned facts between pairs that no rule fact (asserted, negated or hedged; the
    document matchers' too) relates in the same sentence: the rules win."""
    ruled = {(f.sentence, frozenset((f.subject, f.object))) for f in rule_facts if f.relation != RELATED}
    return [f for f in learned if (f.sentence, frozenset((f.subject, f.object))) not in ruled]


def decide(probs: dict[str, float], threshold: float, by_relation: Mapping[str, float] | None = None) -> tuple[str | None, float]:
    """The most probable label of those the classes fit, when its probability reaches the
    threshold: its relation's own in ``by_relation``, else ``threshold`` (ties go to the first
    name in sorted order, so the choice is deterministic)."""
    best, p = None, 0.0
    for label in sorted(probs):
        if probs[label] > p:
            best, p = label, probs[label]
    if best is None:
        return None, p
    return (best, p) if p >= (by_relation or {}).get(best[:-1], threshold) else (None, p)


def governor_factuality(s: Sentence, c: Candidate) -> tuple[bool, str | None, str | None]:
    """(negated, modality, attributed to) of the word governing both mentions of ``c``."""
    if c.governor < 0:
        return False, None, s.source
    gov = s.doc[c.governor]
    negated, modality = factuality(s, gov)
    return negated, modality, attribution(s, gov)


def fact_of(c: Candidate, label: str, confidence: float, sentence: int, negated: bool, modality: str | None,
            source: str | None) -> Fact:
    """The fact ``label`` (``rel>`` or ``rel<``) gives for the pair ``c``."""
    rel = label[:-1]
    subj, obj = (c.first, c.second) if label[-1] == ">" else (c.second, c.first)
    return Fact(subject=subj, relation=rel, object=obj, sentence=sentence, begin=c.begin, end=c.end, rule=RULE_ID,
                confidence=round(confidence, 3), negated=negated, modality=modality, attributed_to=source, learned=True)


@lru_cache(maxsize=8)
def load_model(model: str, model_file: str = MODEL_FILE, settings_file: str = SETTINGS_FILE, name: str = "pair classifier"):
    """(tagger, settings, labels) of a classifier: ``model`` a model file beside its settings
    (.json), or "" for the shipped ``model_file`` and ``settings_file`` of kg/ontologies."""
    import pycrfsuite

    settings_path = Path(model).with_suffix(".json") if model else None
    what = model or f"kg/ontologies/{model_file}"
    try:
        if model:
            settings = json.loads(settings_path.read_text(encoding="utf-8"))
        else:
            settings = json.loads(resource_path("kg.ontologies", settings_file).read_text(encoding="utf-8"))
        threshold = float(settings["threshold"])
        conf = {str(k): float(v) for k, v in settings["confidence"].items()}
        by_relation = {str(k): float(v) for k, v in settings.get("thresholds", {}).items()}
        settings = {"threshold": threshold, "thresholds": by_relation, "confidence": conf,
                    "default_confidence": float(settings["default_confidence"])}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as e:
        where = settings_path or f"kg/ontologies/{settings_file}"
        raise ModelError(f"{where}: cannot read the {name}'s settings ({type(e).__name__}: {e}); "
                         "retrain with scripts/train_relations.py, or build with rules only (--no-learned)") from None
    tagger = pycrfsuite.Tagger()
    try:
        if model:
            tagger.open(model)
        else:
            with as_file(resource_path("kg.ontologies", model_file)) as file:
                tagger.open(str(file))
    except (OSError, ValueError) as e:
        raise ModelError(f"{what}: cannot open the {name} model ({e}); "
                         "retrain with scripts/train_relations.py, or build with rules only (--no-learned)") from None
    return tagger, settings, frozenset(tagger.labels())
