"""The relation engine: analyse each sentence (syntax.py), run the matcher of each rule kind
(matchers.py) and turn matches into Facts with factuality and attribution (factuality.py).

For each chunk the engine maps entity mentions to tokens (a mention owns its bunsetsu),
resolves 同社/同氏 and pronouns to a salient entity of the right class, carries the は-topic from
sentence to sentence (facts resting on it are marked inferred, with lower confidence), keeps
predicates with two entity arguments that no rule maps as ``related`` facts carrying the
predicate lemma, and drops facts whose classes fall outside the relation's domain and range.
The ruleset's learned source (learned.py), when it has one, adds facts for the pairs of mentions
no rule related in the sentence; they stay out of the document matchers (closure, lead).
``extract_across`` runs the document pair classifier (docpairs.py) once the document's chunks are
done, over pairs of entities that share no sentence. The は-topic of the document's first sentence is kept as its lead entity for document defaults
(rule kind ``lead``).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..mentions import cues as mention_cues
from ..model import Entity, Fact, Mention
from ..vocab import is_a, relations, top_class
from .factuality import attribution, factuality, sentence_source
from .docpairs import spots
from .learned import unruled
from .matchers import DOCUMENT_MATCHERS, EARLY_KINDS, LATE_KINDS, MATCHERS, predicate_lemmas
from .rules import RELATED, Rule, RuleSet
from .syntax import AGENT, SUBJECT, Ref, Sentence
from .tokens import LDoc

UNMAPPED_RULE = "unmapped_predicate.v1"
UNMAPPED_CONFIDENCE = 0.3
_RECENT = 3  # sentences back that 同社 / 彼 may reach
TOPIC_HOLD = 1  # sentences a later は-topic carries to before the lead entity returns


def extract(doc, offset: int, sentence_base: int, mentions: Sequence[Mention], entities: dict[str, Entity], ruleset: RuleSet, state: dict | None = None) -> list[Fact]:
    """Facts of one parsed chunk. ``mentions`` are the document's mentions (document offsets);
    ``state`` carries the は-topic and the recently salient entities from one chunk to the next."""
    state = state if state is not None else {}
    bunsetu = _bunsetu_ids(doc)
    light = LDoc(doc)
    ent, spans = _map_mentions(doc, light, offset, mentions, bunsetu, entities, ruleset)
    doc = light
    kinds: dict[str, list[Rule]] = {}
    document_kinds: dict[str, list[Rule]] = {}
    for r in sorted(ruleset.rules, key=lambda r: LATE_KINDS.index(r.kind) + 1 if r.kind in LATE_KINDS else -(r.kind in EARLY_KINDS)):
        (document_kinds if r.kind in DOCUMENT_MATCHERS else kinds).setdefault(r.kind, []).append(r)
    facts: list[Fact] = []
    learned: list[Fact] = []
    sentences: list[Sentence] = []
    for k, span in enumerate(doc.sents):
        s = Sentence(doc, span, offset, sentence_base + k, ent, [m for m in spans if span.start <= m[0] < span.end], entities, ruleset, bunsetu)
        sentences.append(s)
        s.topic = _carried_topic(s.index, state)
        s.lead = Ref(state["lead"], -1, "lead") if state.get("lead") else None
        s.pending = state.get("pending")
        _resolve_anaphors(s, state)
        if ruleset.documents is not None:
            state.setdefault("spots", []).extend(spots(s))
        if len(s.mentions) + len(s.anaphoric) + (s.topic is not None) + (s.pending is not None) < 2:
            _remember(s, state)
            continue  # no two entities to relate
        s.source = sentence_source(s)
        found: list[Fact] = []

        def emit(rule: Rule, a: Ref, b: Ref, pred, tokens, span=None, _found=found, _s=s):
            _found.append(_fact(_s, rule, a, b, pred, tokens, span))
            _s.matches.append((rule, a, b, pred, tokens, span))

        for kind, rules in kinds.items():
            MATCHERS[kind](s, rules, emit)
        found[:] = _unshadowed(found, s.matches)
        found.extend(_unmapped(s, found))
        checked = _checked(found, entities)
        facts.extend(checked)
        if ruleset.learned is not None:
            learned.extend(_checked(ruleset.learned.facts(s, checked), entities))
        _remember(s, state)
    for kind, rules in document_kinds.items():
        facts.extend(_checked(DOCUMENT_MATCHERS[kind](facts, rules, ruleset, sentences, state), entities))
    return _dedupe(facts + unruled(learned, facts))


def extract_across(facts: Sequence[Fact], entities: dict[str, Entity], ruleset: RuleSet, state: dict) -> list[Fact]:
    """Facts between entities of different sentences of a whole document (its ``facts`` and the
    ``state`` its chunks left): the document pair classifier's (docpairs.py), after every chunk."""
    if ruleset.documents is None:
        return []
    return _checked(ruleset.documents.facts(state.get("spots", ()), facts, state.get("lead")), entities)


# ---------------------------------------------------------------- mapping mentions to tokens

def _bunsetu_ids(doc) -> list[int]:
    labels = doc.user_data.get("bunsetu_bi_labels") or ["B"] * len(doc)
    out, n = [], -1
    for lab in labels:
        if lab == "B":
            n += 1
        out.append(max(n, 0))
    return out


def _map_mentions(spacy_doc, doc: LDoc, offset, mentions, bunsetu, entities, ruleset):
    token_entity: dict[int, str] = {}
    spans = []
    lo, hi = offset, offset + len(doc.text)
    for m in mentions:
        if m.begin < lo or m.end > hi:
            continue
        span = spacy_doc.char_span(m.begin - offset, m.end - offset, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        spans.append((span.start, span.end, m.entity))
        for i in range(span.start, span.end):
            token_entity[i] = m.entity
    # the rest of a mention's bunsetsu (氏, 社, particles) points to it too, up to the next mention
    last: tuple[int, str] | None = None
    for i in range(len(doc)):
        if i in token_entity:
            last = (bunsetu[i], token_entity[i])
            continue
        if last is None or bunsetu[i] != last[0]:
            last = None
            continue
        t = doc[i]
        if t.pos_ in ("ADP", "PUNCT", "SYM", "PART") or t.pos_ == "NOUN" and (not t.tag_.startswith("名詞-普通名詞") or _is_suffix(t.text, entities.get(last[1]), ruleset)):
            token_entity[i] = last[1]
        elif t.pos_ not in ("ADP", "PUNCT", "SYM"):
            last = None
    spans.sort()
    return token_entity, spans


def _is_suffix(text: str, entity: Entity | None, ruleset: RuleSet) -> bool:
    """社, 氏, 株式会社: a name's suffix (ontologies/type-cues.tsv) of the name's class belongs to
    the name's phrase; a title (ソニー社長, 孫社長) does not."""
    cue = mention_cues().get((text, "suffix"))
    return cue is not None and entity is not None and is_a(entity.cls, {cue.cls, top_class(cue.cls)}) and text not in ruleset.title_index


# ---------------------------------------------------------------- anaphora and topics

def _resolve_anaphors(s: Sentence, state: dict) -> None:
    """同社 / 同氏 / 彼: the は-topic before it in the sentence, else the most recent subject of the
    right class in the last sentences, else the most recent mention of that class."""
    lex = s.lex
    for tok in s.span:
        if tok.i in s.ent:
            continue
        wanted = lex.anaphors.get(tok.text)
        if wanted is None and tok.pos_ == "PRON":
            wanted = lex.pronouns.get(tok.text)
        if wanted is None:
            continue
        key = _antecedent(s, tok, wanted, state)
        if key:
            s.ent[tok.i] = key
            s.anaphoric.add(tok.i)


def _antecedent(s: Sentence, tok, wanted, state: dict) -> str | None:
    def ok(key):
        return key is not None and s.class_ok(key, wanted)

    for t in s.span:
        if t.i >= tok.i:
            break
        if s.particle(t) in ("は", "が") and t.dep_ in ("nsubj", "obl", "dep", "nsubj:pass"):
            for r in s.refs(t):
                if ok(r.key):
                    return r.key
    for sent_no, key, subject in reversed(state.get("recent", ())):
        if subject and sent_no >= s.index - _RECENT and ok(key):
            return key
    for start, _end, key in reversed(s.mentions):
        if start < tok.i and ok(key):
            return key
    for sent_no, key, _subject in reversed(state.get("recent", ())):
        if sent_no >= s.index - 1 and ok(key):
            return key
    return None


def _carried_topic(index: int, state: dict) -> Ref | None:
    """The topic an omitted subject of sentence ``index`` stands for: the last は-topic, but a
    later sentence's topic holds only for the next ``TOPIC_HOLD`` sentences; after that the
    document's lead entity returns (母および兄のレフは文学を好み…。…モスクワ大学に入学。 in an
    article about カヴェーリン: he entered the university, not his brother)."""
    topic, lead = state.get("topic"), state.get("lead")
    if topic is not None and lead is not None and index - state.get("topic_at", 0) > TOPIC_HOLD:
        return Ref(lead, -1, "topic")
    return topic


def _remember(s: Sentence, state: dict) -> None:
    """Carry the sentence's topic and its salient entities to the next sentences, and a name
    left before a parenthesis the parser cut the sentence in."""
    _remember_parenthesis(s, state)
    recent = state.setdefault("recent", [])
    subjects = set()
    root = s.span.root
    sub = s.subject(root)
    if sub is not None and not any(r.inferred for r in sub.refs):
        subjects = {r.key for r in sub.refs}
        if sub.particle == "は" and sub.refs:
            state["topic"] = Ref(sub.refs[0].key, -1, "topic")
            state["topic_at"] = s.index
            if s.index == 0:
                state["lead"] = sub.refs[0].key  # the document's subject (matchers.carry_lead_defaults)
    for tok in s.span:
        if s.particle(tok) in SUBJECT:
            subjects |= {r.key for r in s.refs(tok)}
    for _start, _end, key in s.mentions:
        recent.append((s.index, key, key in subjects))
    del recent[:-50]


def _remember_parenthesis(s: Sentence, state: dict) -> None:
    """X(よみ、1963年- / ) / は、…: remember X while the parser's sentences are inside its
    parenthesis, for the sentence after it closes."""
    depth = state.get("paren_depth", 0)
    if depth <= 0:
        state.pop("pending", None)
    ends = {e - 1: key for _st, e, key in s.mentions}
    opened_here = False
    for t in s.span:
        if t.text in ("(", "（"):
            depth += 1
            before = next((ends[k] for k in (t.i - 1, t.i - 2) if k in ends and s.bunsetu[k] == s.bunsetu[t.i - 1]), None)
            if depth == 1 and before is not None:
                state["pending"] = Ref(before, -1)
                opened_here = True
        elif t.text in (")", "）") and depth > 0:
            depth -= 1
    if depth == 0 and opened_here:
        state.pop("pending", None)  # the parenthesis opened and closed in this sentence
    state["paren_depth"] = depth


# ---------------------------------------------------------------- facts

def _fact(s: Sentence, rule: Rule, a: Ref, b: Ref, pred, tokens, span=None) -> Fact:
    subj, obj = (b, a) if rule.direction == "of_to_holder" else (a, b)
    doc = s.doc
    toks = [doc[i] for i in tokens if i >= 0]
    if span is not None:
        begin, end = span
    elif toks:
        begin = s.offset + min(t.idx for t in toks)
        end = s.offset + max(t.idx + len(t.text) for t in toks)
    else:
        begin, end = s.offset + s.span.start_char, s.offset + s.span.end_char
    negated, modality = factuality(s, pred) if pred is not None else (False, None)
    inferred = a.inferred or b.inferred
    rs = s.ruleset
    conf = rule.confidence * (rs.inferred_factor if inferred else 1.0) * (rs.anaphor_factor if a.anaphoric or b.anaphoric else 1.0)
    return Fact(
        subject=subj.key, relation=rule.relation, object=obj.key, sentence=s.index, begin=begin, end=end,
        rule=rule.id, confidence=round(conf, 3), negated=negated, modality=modality,
        attributed_to=attribution(s, pred) if pred is not None else s.source,
        inferred=inferred, lemma=_lemma(s, pred) if rule.relation == RELATED else None,
    )


def _unshadowed(found: list[Fact], matches: list) -> list[Fact]:
    """Drop the facts an omitted subject gave through the document's lead entity where the
    carried topic gave one by the same rule and words: the topic comes first. ``matches`` holds
    the (rule, a, b, pred, tokens, span) of each fact of ``found``, in the same order."""
    def key(rule, a, b, tokens):  # the rule and words, and each side unless carried
        return rule.id, tuple(tokens), "" if a.inferred else a.key, "" if b.inferred else b.key

    by_topic = {key(m[0], m[1], m[2], m[4]) for m in matches if "topic" in (m[1].via, m[2].via)}
    return [f for f, (rule, a, b, _pred, tokens, _span) in zip(found, matches)
            if not ("lead" in (a.via, b.via) and key(rule, a, b, tokens) in by_topic)]


def _lemma(s: Sentence, pred) -> str | None:
    if pred is None:
        return None
    forms = predicate_lemmas(s, pred)
    longest = max((f for f in forms if f.endswith(pred.lemma_) and "を" not in f and "に" not in f[:-len(pred.lemma_)]), key=len, default=pred.lemma_)
    return longest


def _unmapped(s: Sentence, found: Sequence[Fact]) -> list[Fact]:
    """Predicates with a subject and another entity argument that no rule mapped: kept as
    ``related`` facts carrying the predicate lemma, so the rule set can grow from real text."""
    covered = {(f.subject, f.object) for f in found} | {(f.object, f.subject) for f in found}
    out = []
    rule = _UNMAPPED
    markers = s.ruleset.factuality.source_markers
    for pred in s.span:
        if pred.pos_ != "VERB" or pred.lemma_ in s.ruleset.factuality.reporting_verbs:
            continue
        args = [a for a in s.arguments(pred) if not a.gap]
        chosen = s.subject(pred)
        subj = [a for a in args if (a.cases & set(SUBJECT) or "が" in a.cases) and (chosen is None or a.token == chosen.token or a.particle == AGENT)]
        others = [a for a in args if a not in subj and "causer" not in a.cases and not (a.cases & set(SUBJECT))
                  and a.particle not in ("の", "") and not a.particle.endswith("の") and not any(a.particle.startswith(m) for m in markers)]
        for sa in subj:
            for oa in others:
                for sr in sa.refs:
                    for orf in oa.refs:
                        if sr.key == orf.key or (sr.key, orf.key) in covered or sr.inferred:
                            continue
                        out.append(_fact(s, rule, sr, orf, pred, (sa.token, oa.token, pred.i)))
                        covered.add((sr.key, orf.key))
    return out


_UNMAPPED = Rule(id=UNMAPPED_RULE, description="a predicate with two entity arguments that no rule maps", kind="frame",
                 relation=RELATED, confidence=UNMAPPED_CONFIDENCE, source="kg/relations/engine.py")


def _checked(facts: Sequence[Fact], entities: dict[str, Entity]) -> list[Fact]:
    """Drop facts whose subject or object class is outside the relation's domain or range."""
    rels = relations()
    out = []
    for f in facts:
        if f.subject == f.object:
            continue
        if f.relation != RELATED:
            info = rels[f.relation]
            s, o = entities.get(f.subject), entities.get(f.object)
            if s is None or o is None or not is_a(s.cls, info.domain) or not is_a(o.cls, info.range):
                continue
        out.append(f)
    return out


def _dedupe(facts: Sequence[Fact]) -> list[Fact]:
    """One Statement per (relation, subject, object, sentence, factuality): a rule's over the
    pair classifier's, then the most confident."""
    best: dict = {}
    for f in facts:
        key = (f.subject, f.relation, f.object, f.sentence, f.negated, f.modality)
        old = best.get(key)
        if old is None or (not f.learned, f.confidence, -f.begin) > (not old.learned, old.confidence, -old.begin):
            best[key] = f
    return sorted(best.values(), key=lambda f: (f.begin, f.end, f.relation, f.subject, f.object, f.rule))
