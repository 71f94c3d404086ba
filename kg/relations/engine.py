"""The relation engine: read predicate-argument structure off GiNZA's trees and bunsetsu and
apply the rules of rules/*.yaml to it.

For each sentence the engine maps entity mentions to tokens (a mention owns its bunsetsu, so the
honorific 氏 that carries the dependency arc points to the person), collects every predicate's
arguments by case particle (with coordination AとBが expanded, subjects shared down a chain of
clauses, relative-clause heads filling a gap, and は-topics carried to later sentences that omit
the subject), and runs the matchers registered for each rule kind. Each match becomes a Fact with
its factuality (negation, modality) and attribution (reporting verbs, によると).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..model import Entity, Fact, Mention
from ..vocab import is_a, relations
from .rules import Rule, RuleSet

ARG_DEPS = {"nsubj", "obj", "obl", "iobj", "nmod", "dep", "nsubj:pass", "csubj", "advcl", "compound", "acl"}
SUBJECT_PARTICLES = ("が", "は", "も")
ANAPHORS = {"同社": ("Organization",), "同氏": ("Person",), "同グループ": ("Organization",), "同党": ("Organization",), "同大学": ("Organization",)}
TITLE_PREFIXES = ("元", "前", "新", "現", "初代", "共同", "最高", "次期", "暫定")
INFERRED_FACTOR = 0.8
ANAPHOR_FACTOR = 0.9
UNMAPPED_RULE = "unmapped_predicate.v1"
UNMAPPED_CONFIDENCE = 0.3


@dataclass
class Arg:
    token: int  # head token index of the argument phrase
    particle: str
    entities: list[str]  # entity keys (several when coordinated)
    inferred: bool = False
    anaphoric: bool = False


@dataclass
class Context:
    """What the matchers see of one sentence."""

    doc: object
    sent: object
    offset: int
    sentence_index: int
    entity_at: dict[int, str]  # token index -> entity key (mention tokens and their bunsetsu)
    mention_spans: list[tuple[int, int, str]]  # (start token, end token, entity key) in the sentence
    entities: dict[str, Entity]
    ruleset: RuleSet
    topic: str | None  # は-topic entity carried from an earlier sentence
    bunsetu: list[int] = field(default_factory=list)  # bunsetsu id of each token of the doc
    attribution: str | None = None


Matcher = Callable[[Context, Rule], list[Fact]]
MATCHERS: dict[str, Matcher] = {}


def matcher(kind: str):
    """Register the function that applies rules of ``kind``."""

    def deco(fn: Matcher) -> Matcher:
        MATCHERS[kind] = fn
        return fn

    return deco


def extract(doc, offset: int, sentence_base: int, mentions: Sequence[Mention], entities: dict[str, Entity], ruleset: RuleSet, state: dict | None = None) -> list[Fact]:
    """Facts of one parsed chunk. ``mentions`` are the document's mentions (document offsets);
    ``state`` carries the は-topic from one chunk to the next."""
    state = state if state is not None else {}
    bunsetu = _bunsetu_ids(doc)
    token_entity, spans = _map_mentions(doc, offset, mentions, bunsetu)
    facts: list[Fact] = []
    for k, sent in enumerate(doc.sents):
        sent_spans = [s for s in spans if sent.start <= s[0] < sent.end]
        ctx = Context(doc, sent, offset, sentence_base + k, token_entity, sent_spans, entities, ruleset, state.get("topic"), bunsetu)
        _resolve_anaphors(ctx, mentions)
        ctx.attribution = _sentence_source(ctx)
        found: list[Fact] = []
        for rule in ruleset.rules:
            found.extend(MATCHERS[rule.kind](ctx, rule))
        found.extend(_unmapped(ctx, found))
        facts.extend(_checked(found, entities))
        topic = _topic_of(ctx)
        if topic:
            state["topic"] = topic
    return _dedupe(facts)


# ---------------------------------------------------------------- mapping mentions to tokens

def _bunsetu_ids(doc) -> list[int]:
    labels = doc.user_data.get("bunsetu_bi_labels") or ["B"] * len(doc)
    out, n = [], -1
    for lab in labels:
        if lab == "B":
            n += 1
        out.append(max(n, 0))
    return out


def _map_mentions(doc, offset, mentions, bunsetu):
    token_entity: dict[int, str] = {}
    spans = []
    lo, hi = offset, offset + len(doc.text)
    for m in mentions:
        if m.begin < lo or m.end > hi:
            continue
        span = doc.char_span(m.begin - offset, m.end - offset, alignment_mode="expand")
        if span is None or len(span) == 0:
            continue
        spans.append((span.start, span.end, m.entity))
        for t in span:
            token_entity[t.i] = m.entity
    # the rest of a mention's bunsetsu (氏, 社, particles) points to it too
    by_bunsetu: dict[int, str] = {}
    for i, key in sorted(token_entity.items()):
        by_bunsetu[bunsetu[i]] = key
    for i in range(len(doc)):
        if i not in token_entity and bunsetu[i] in by_bunsetu and doc[i].pos_ in ("NOUN", "ADP", "PUNCT", "SYM", "PART") and not _is_title(doc[i]):
            token_entity[i] = by_bunsetu[bunsetu[i]]
    return token_entity, spans


def _is_title(tok) -> bool:
    """A common noun in a mention's bunsetsu (マイクロソフト社員) names something else."""
    return tok.tag_.startswith("名詞-普通名詞")


def _resolve_anaphors(ctx: Context, mentions: Sequence[Mention]) -> None:
    """同社 / 同氏: an entity of the right class in the sentence's は-topic phrase before the
    anaphor (マイクロソフトのCEOであるナデラ氏は、…同社に加わる -> マイクロソフト), else the most
    recent one in this or the previous sentence."""
    for tok in ctx.sent:
        if tok.text not in ANAPHORS or tok.i in ctx.entity_at:
            continue
        wanted = ANAPHORS[tok.text]

        def ok(key):
            e = ctx.entities.get(key)
            return e is not None and is_a(e.cls, wanted)

        best = None
        for t in ctx.sent:
            if t.i >= tok.i:
                break
            if particle_of(t) == "は":
                for sub in t.subtree:
                    key = ctx.entity_at.get(sub.i)
                    if key and ok(key) and sub.i < tok.i:
                        best = best or key
        if best is None:
            pos = ctx.offset + tok.idx
            for m in reversed([m for m in mentions if m.end <= pos and m.sentence >= ctx.sentence_index - 1]):
                if ok(m.entity):
                    best = m.entity
                    break
        if best:
            ctx.entity_at[tok.i] = best
            ctx.entity_at[-tok.i - 1] = "anaphor"


# ---------------------------------------------------------------- arguments

def particle_of(tok) -> str:
    """The case particle(s) marking a noun phrase: が, を, に, へ, と, で, から, の, は, も, によると..."""
    parts = [c.text for c in tok.children if c.dep_ in ("case", "mark", "fixed") and c.i > tok.i and c.pos_ in ("ADP", "SCONJ", "PART")]
    if not parts:
        # GiNZA sometimes hangs the particle off the next token; read the surface instead
        nxt = tok.doc[tok.i + 1] if tok.i + 1 < len(tok.doc) else None
        if nxt is not None and nxt.pos_ == "ADP":
            parts = [nxt.text]
    return "".join(parts)


def entities_of(ctx: Context, tok) -> list[str]:
    """The entity a phrase names, plus those coordinated with it by と (AとBが -> [A, B])."""
    out = []
    key = ctx.entity_at.get(tok.i)
    if key:
        out.append(key)
    for c in tok.children:
        if c.i < tok.i and c.dep_ in ("nmod", "conj", "compound", "obl") and particle_of(c) in ("と", "や", "、"):
            out.extend(k for k in entities_of(ctx, c) if k not in out)
    return out


def arguments(ctx: Context, pred) -> list[Arg]:
    args = []
    for c in pred.children:
        if c.i >= pred.i or c.dep_ not in ARG_DEPS:
            continue
        p = particle_of(c)
        if not p:
            continue
        ents = entities_of(ctx, c)
        if ents:
            args.append(Arg(c.i, p, ents, anaphoric=(-c.i - 1) in ctx.entity_at))
    if not any(a.particle in SUBJECT_PARTICLES for a in args):
        inherited = _inherited_subject(ctx, pred)
        if inherited is not None:
            args.append(inherited)
    return args


def _inherited_subject(ctx: Context, pred) -> Arg | None:
    """A subject shared down a chain of clauses: XがYに加わり、Zを率いる; or the head of a
    relative clause; or, failing those, the は-topic of an earlier sentence (inferred)."""
    seen = set()
    node = pred
    while node.head.i != node.i and node.i not in seen:
        seen.add(node.i)
        head = node.head
        if node.dep_ == "acl" and head.i > node.i and ctx.entity_at.get(head.i):
            return Arg(head.i, "が", [ctx.entity_at[head.i]])
        for c in head.children:
            if c.i < pred.i and c.dep_ in ("nsubj", "nsubj:pass") and particle_of(c) in SUBJECT_PARTICLES:
                ents = entities_of(ctx, c)
                if ents:
                    return Arg(c.i, particle_of(c), ents)
        if ctx.entity_at.get(head.i) and node.dep_ in ("dep", "acl") and particle_of(head) in SUBJECT_PARTICLES and head.i < pred.i:
            return Arg(head.i, particle_of(head), entities_of(ctx, head))
        node = head
    if ctx.topic:
        return Arg(-1, "は", [ctx.topic], inferred=True)
    return None


def is_passive(pred) -> bool:
    return any(c.dep_ == "aux" and c.lemma_ in ("れる", "られる") for c in pred.children)


def predicate_lemmas(pred) -> set[str]:
    """The lemma, and compound forms with the nouns before it (資金 + 提供 -> 資金提供)."""
    out = {pred.lemma_, pred.text}
    prefix = ""
    for c in sorted(pred.children, key=lambda t: -t.i):
        if c.dep_ == "compound" and c.i == pred.i - 1 - len(prefix):
            prefix = c.text + prefix
            out.add(prefix + pred.lemma_)
    # light verb constructions: 手を組む, 傘下に収める
    for c in pred.children:
        if c.i < pred.i and c.dep_ in ("obj", "obl") and particle_of(c) in ("を", "に"):
            out.add(f"{c.text}{particle_of(c)}{pred.lemma_}")
    return out


# ---------------------------------------------------------------- factuality and attribution

def factuality(ctx: Context, pred) -> tuple[bool, str | None]:
    f = ctx.ruleset.factuality
    doc = ctx.doc
    tail = _tail(pred)
    negated = any(t.lemma_ in f.negation and t.pos_ == "AUX" for t in tail)
    tail_text = "".join(t.text for t in tail)
    modality = None
    after = tail_text + _following_text(pred, 12)
    for cue, value in sorted(f.modality.items(), key=lambda kv: -len(kv[0])):
        if cue in after[: len(tail_text) + len(cue) + 6]:
            modality = value
            break
    head = pred.head
    if modality is None and pred.dep_ in ("acl", "nmod") and head.lemma_ in f.modality_nouns:
        modality = f.modality_nouns[head.lemma_]
    if modality is None and any(t.text in f.conditional or t.lemma_ in f.conditional for t in tail if t.pos_ in ("SCONJ", "ADP", "AUX")):
        modality = "conditional"
        root = pred.sent.root
        if negated and any(t.lemma_ == "だ" and "だろう" in root.doc[t.i:t.i + 2].text for t in root.children):
            modality = "counterfactual"
    # a hedged or negated reporting predicate above passes its modality down
    if modality is None:
        anc = pred.head
        hops = 0
        while anc.i != anc.head.i and hops < 4 and anc.i > pred.i:
            anc_tail = "".join(t.text for t in _tail(anc))
            for cue, value in f.modality.items():
                if cue.startswith("と") and cue in ("と" + anc_tail) or cue in anc_tail and value in ("speculative", "possible"):
                    if _complement_of(pred, anc):
                        modality = value
                        break
            if modality:
                break
            anc = anc.head
            hops += 1
    return negated, modality


def _tail(pred) -> list:
    """The function words after a predicate in its bunsetsu (し, た, ない, だろう...)."""
    doc = pred.doc
    out = []
    i = pred.i + 1
    while i < len(doc) and doc[i].pos_ in ("AUX", "SCONJ", "PART", "VERB") and doc[i].dep_ in ("aux", "mark", "fixed", "cop", "case") and doc[i].head.i in (pred.i, *[t.i for t in out]):
        out.append(doc[i])
        i += 1
    return out


def _following_text(pred, n: int) -> str:
    doc = pred.doc
    end = min(len(doc), pred.i + 1 + n)
    return doc[pred.i + 1:end].text if pred.i + 1 < end else ""


def _complement_of(pred, anc) -> bool:
    node = pred
    while node.i != anc.i and node.head.i != node.i:
        if particle_of(node) == "と" and node.head.i == anc.i:
            return True
        node = node.head
    return False


def attribution(ctx: Context, pred) -> str | None:
    """The speaker when the predicate is the と-complement of a reporting verb, or the sentence's
    によると source."""
    f = ctx.ruleset.factuality
    node = pred
    hops = 0
    while node.head.i != node.i and hops < 6:
        head = node.head
        if (head.lemma_ in f.reporting_verbs or head.text in f.reporting_verbs) and particle_of(node) in ("と", "とも", "って"):
            for c in head.children:
                if c.dep_ in ("nsubj", "obl", "nsubj:pass") and particle_of(c) in SUBJECT_PARTICLES:
                    ents = entities_of(ctx, c)
                    if ents:
                        return ents[0]
            inherited = _inherited_subject(ctx, head)
            if inherited and not inherited.inferred:
                return inherited.entities[0]
        node = head
        hops += 1
    return ctx.attribution


def _sentence_source(ctx: Context) -> str | None:
    text = ctx.sent.text
    for marker in ctx.ruleset.factuality.source_markers:
        pos = text.find(marker)
        if pos > 0:
            for start, end, key in ctx.mention_spans:
                if ctx.doc[end - 1].idx + len(ctx.doc[end - 1].text) - ctx.sent.start_char <= pos <= ctx.doc[end - 1].idx - ctx.sent.start_char + len(ctx.doc[end - 1].text) + 1:
                    return key
    return None


def _topic_of(ctx: Context) -> str | None:
    for tok in ctx.sent:
        if particle_of(tok) == "は" and tok.dep_ in ("nsubj", "obl", "dep") and ctx.entity_at.get(tok.i):
            return ctx.entity_at[tok.i]
    return None


# ---------------------------------------------------------------- matchers

def _fact(ctx: Context, rule: Rule, subj: str, obj: str, pieces: Sequence[int], pred=None, inferred=False, anaphoric=False) -> Fact:
    doc = ctx.doc
    toks = [doc[i] for i in pieces if i >= 0]
    begin = ctx.offset + min(t.idx for t in toks)
    end = ctx.offset + max(t.idx + len(t.text) for t in toks)
    negated, modality = factuality(ctx, pred) if pred is not None else (False, None)
    conf = rule.confidence * (INFERRED_FACTOR if inferred else 1.0) * (ANAPHOR_FACTOR if anaphoric else 1.0)
    if rule.direction == "of_to_holder":
        subj, obj = obj, subj
    return Fact(
        subject=subj, relation=rule.relation, object=obj, sentence=ctx.sentence_index, begin=begin, end=end,
        rule=rule.id, confidence=round(conf, 3), negated=negated, modality=modality,
        attributed_to=attribution(ctx, pred) if pred is not None else ctx.attribution,
        inferred=inferred, lemma=pred.lemma_ if pred is not None else None,
    )


def _class_ok(ctx: Context, key: str, allowed) -> bool:
    e = ctx.entities.get(key)
    return e is not None and (not allowed or is_a(e.cls, set(allowed)))


@matcher("frame")
def match_frame(ctx: Context, rule: Rule) -> list[Fact]:
    out = []
    subj_slot, obj_slot = rule.slot("subject"), rule.slot("object")
    for pred in ctx.sent:
        if pred.pos_ not in ("VERB", "NOUN", "ADJ", "PROPN"):
            continue
        if not (predicate_lemmas(pred) & rule.lemmas):
            continue
        passive = is_passive(pred)
        if (rule.voice == "active" and passive) or (rule.voice == "passive" and not passive):
            continue
        args = arguments(ctx, pred)
        subjects = [a for a in args if a.particle in subj_slot.particles or any(a.particle.startswith(p) for p in subj_slot.particles if len(p) > 1)]
        objects = [a for a in args if _particle_match(a.particle, obj_slot.particles)]
        if pred.dep_ == "acl" and ctx.entity_at.get(pred.head.i) and pred.head.i > pred.i and not objects:
            objects = [Arg(pred.head.i, obj_slot.particles[0], [ctx.entity_at[pred.head.i]])]
        for s in subjects:
            for o in objects:
                if s.token == o.token:
                    continue
                for sk in s.entities:
                    for ok in o.entities:
                        if sk == ok or not _class_ok(ctx, sk, subj_slot.classes) or not _class_ok(ctx, ok, obj_slot.classes):
                            continue
                        out.append(_fact(ctx, rule, sk, ok, [s.token, o.token, pred.i], pred, s.inferred or o.inferred, s.anaphoric or o.anaphoric))
    return out


def _particle_match(particle: str, wanted: Sequence[str]) -> bool:
    # に matches に and には; not の-compounds (との, への) which mark noun modifiers
    if particle.endswith("の") and particle not in wanted:
        return False
    return any(particle == w or particle.startswith(w) and particle[len(w):] in ("は", "も") for w in wanted)


_CONNECTOR = re.compile(r"^(?:である|であり|で|の|、|,|・|兼)?$")


def _between(ctx: Context, a_end: int, b_start: int) -> str:
    doc = ctx.doc
    return doc[a_end:b_start].text.replace(" ", "") if b_start > a_end else ""


def _titles_in(text: str, titles: Sequence[str]) -> list[tuple[int, int, str]]:
    found = []
    for t in sorted(titles, key=len, reverse=True):
        start = 0
        while (i := text.find(t, start)) >= 0:
            if not any(i < e and s < i + len(t) for s, e, _ in found):
                found.append((i, i + len(t), t))
            start = i + 1
    return sorted(found)


def _title_phrase_ok(text: str, spans: list[tuple[int, int, str]]) -> bool:
    """Everything between the titles is a prefix (元, 共同), a connector (兼, で, の) or a title."""
    rest = text
    for s, e, _ in sorted(spans, reverse=True):
        rest = rest[:s] + "\x00" + rest[e:]
    for chunk in rest.split("\x00"):
        c = chunk
        for p in TITLE_PREFIXES:
            c = c.replace(p, "")
        for conn in ("である", "であり", "兼", "で", "の", "、", "・", "AI", "上級", "チーフ", "シニア", "副"):
            c = c.replace(conn, "")
        if c:
            return False
    return True


@matcher("appositive")
def match_appositive(ctx: Context, rule: Rule) -> list[Fact]:
    """X の TITLE (兼 TITLE)* (である|で|の|、) Z, and X TITLE の Z (ソニーCEOの吉田氏)."""
    out = []
    spans = ctx.mention_spans
    all_titles = _all_titles(ctx.ruleset)
    for xs, xe, xkey in spans:
        if not _class_ok(ctx, xkey, rule.pattern["of"]):
            continue
        for zs, ze, zkey in spans:
            if zs <= xe or zkey == xkey or not _class_ok(ctx, zkey, rule.pattern["holder"]):
                continue
            between = _between(ctx, xe, zs)
            if not between or len(between) > 40:
                continue
            body = between[1:] if between.startswith("の") else between
            # the last piece before Z is a connector
            m = re.search(r"(である|であり|の|、|・)$", body)
            if m is None:
                continue
            body = body[: m.start()]
            found = _titles_in(body, all_titles)
            if not found or not _title_phrase_ok(body, found):
                continue
            if any(t in rule.titles for _, _, t in found):
                if any(zs2 < zs and zs2 >= xe for zs2, _, _ in spans):
                    continue  # another mention sits between X and Z
                out.append(_fact(ctx, rule, zkey, xkey, [xs, ze - 1], None))
    return out


def _all_titles(ruleset: RuleSet) -> tuple[str, ...]:
    return tuple(t for r in ruleset.by_kind("appositive") for t in r.titles)


@matcher("possessive")
def match_possessive(ctx: Context, rule: Rule) -> list[Fact]:
    out = []
    spans = ctx.mention_spans
    for xs, xe, xkey in spans:
        if not _class_ok(ctx, xkey, rule.pattern["of"]):
            continue
        for zs, ze, zkey in spans:
            if zs <= xe or zkey == xkey or not _class_ok(ctx, zkey, rule.pattern["holder"]):
                continue
            if _between(ctx, xe, zs) == "の":
                out.append(_fact(ctx, rule, zkey, xkey, [xs, ze - 1], None))
    return out


# ---------------------------------------------------------------- unmapped predicates and checks

def _unmapped(ctx: Context, found: Sequence[Fact]) -> list[Fact]:
    """Predicates with two entity arguments that no rule mapped: kept as kg:related Statements."""
    covered = {(f.subject, f.object) for f in found} | {(f.object, f.subject) for f in found}
    out = []
    for pred in ctx.sent:
        if pred.pos_ != "VERB":
            continue
        args = [a for a in arguments(ctx, pred) if not a.inferred]
        subj = [a for a in args if a.particle in SUBJECT_PARTICLES]
        others = [a for a in args if a.particle not in SUBJECT_PARTICLES and not a.particle.endswith("の")]
        for s in subj:
            for o in others:
                for sk in s.entities:
                    for ok in o.entities:
                        if sk == ok or (sk, ok) in covered:
                            continue
                        negated, modality = factuality(ctx, pred)
                        doc = ctx.doc
                        toks = [doc[s.token], doc[o.token], pred]
                        out.append(Fact(
                            subject=sk, relation="related", object=ok, sentence=ctx.sentence_index,
                            begin=ctx.offset + min(t.idx for t in toks), end=ctx.offset + max(t.idx + len(t.text) for t in toks),
                            rule=UNMAPPED_RULE, confidence=UNMAPPED_CONFIDENCE, negated=negated, modality=modality,
                            attributed_to=attribution(ctx, pred), lemma=f"{pred.lemma_}:{o.particle}",
                        ))
                        covered.add((sk, ok))
    return out


def _checked(facts: Sequence[Fact], entities: dict[str, Entity]) -> list[Fact]:
    """Drop facts whose subject or object class is outside the relation's domain or range."""
    rels = relations()
    out = []
    for f in facts:
        if f.subject == f.object:
            continue
        if f.relation != "related":
            info = rels[f.relation]
            s, o = entities.get(f.subject), entities.get(f.object)
            if s is None or o is None or not is_a(s.cls, info.domain) or not is_a(o.cls, info.range):
                continue
        out.append(f)
    return out


def _dedupe(facts: Sequence[Fact]) -> list[Fact]:
    """One Statement per (relation, subject, object, evidence span, rule)."""
    seen = {}
    for f in facts:
        key = (f.subject, f.relation, f.object, f.begin, f.end, f.rule)
        if key not in seen:
            seen[key] = f
    return sorted(seen.values(), key=lambda f: (f.begin, f.end, f.relation, f.subject, f.object, f.rule))
