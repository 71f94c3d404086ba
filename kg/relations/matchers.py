"""The matchers: one function per rule kind, registered by name, applying all rules of that kind
to one analysed sentence.

A matcher calls ``emit(rule, holder_or_subject, of_or_object, pred, tokens)`` for each match;
the engine turns that into a Fact (direction, factuality, attribution, confidence) and checks the
relation's domain and range. A rule file names its kind; a new kind is a function decorated with
``@matcher("name")`` — the only place Python is needed for what patterns cannot express.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from .. import lexicon
from ..mentions import OCCUPATION
from ..model import Fact
from ..parse import PARENS_CLOSE, PARENS_OPEN, SENTENCE_END
from .rules import Rule, Slot
from .syntax import SUBJECT, Arg, Ref, Sentence

Emit = Callable[..., None]  # emit(rule, holder_or_subject, of_or_object, predicate, tokens, span=None)
Matcher = Callable[[Sentence, Sequence[Rule], Emit], None]
MATCHERS: dict[str, Matcher] = {}
# kinds that read the matches or facts of the others, so run after them, in this order
LATE_KINDS = ("entail", "compose", "lead")
# document kinds whose facts the others (closure, lead) read, so run before them
EARLY_KINDS = ("known_place",)

_OPEN = {"(": ")", "（": "）", "「": "」", "『": "』"}
_APPOSITIVE_LINKS = (("で", "ある"), ("で", "あり"), ("で", "あっ", "た"), ("で", "も", "ある"), ("で", "も", "あっ", "た"), ("の",), ("、",), ("『",), ("「",), ("の", "『"), ("の", "「"), ())
_SUBNATIONAL = {"Province", "City", "County", "GPE_Other", "Domestic_Region"}


def matcher(kind: str):
    """Register the function that applies the rules of ``kind``."""

    def deco(fn: Matcher) -> Matcher:
        MATCHERS[kind] = fn
        return fn

    return deco


def fits(s: Sentence, ref: Ref, slot: Slot) -> bool:
    if slot.exclude and s.class_ok(ref.key, slot.exclude):
        return False
    return (s.class_ok(ref.key, slot.classes) and s.ner_ok(ref, slot.ner) and (not slot.admin or is_admin(s, ref))
            and (slot.natural or not _natural(s, _ref_text(s, ref)))
            and (slot.water or not _water(s, _ref_text(s, ref)))
            and (slot.region or _ref_text(s, ref) not in s.lex.regions)
            and (slot.area or not _ref_text(s, ref).endswith(s.lex.area_suffixes))
            and (not slot.leveled or _leveled(s, _without_part_text(s, ref)))
            and (not slot.endings or _ref_text(s, ref).endswith(slot.endings)))


def _leveled(s: Sentence, text: str) -> bool:
    """The name ends in a level suffix after a stem of two characters or more (テキサス州,
    大阪府堺市; not 欧州, 豪州)."""
    levels = s.lex.place_levels
    return any(text.endswith(suf) and len(text) - len(suf) >= 2 for suf in levels)


def _without_part_text(s: Sentence, ref: Ref) -> str:
    span = s.mention_span(ref)
    if span is None:
        return _ref_text(s, ref)
    return _without_part(s, span[0], span[1], s.doc[span[0]:span[1]].text)[1]


def _ref_text(s: Sentence, ref: Ref) -> str:
    span = s.mention_span(ref)
    if span is not None:
        return s.doc[span[0]:span[1]].text
    e = s.entities.get(ref.key)
    return e.label if e is not None else ""


_ADMIN_NER = {"Country", "Province", "City", "County", "GPE_Other"}


def is_admin(s: Sentence, ref: Ref) -> bool:
    """The place is an administrative division: its name ends in a level suffix (市, 州, 県:
    lexicon place_levels) or a country, or GiNZA labels it a country, province, city or county —
    and it is not named as a natural feature (川, 湖, 島: lexicon natural_suffixes) or a continent
    or world region (lexicon regions: 西アフリカ, which GiNZA may label a province)."""
    span = s.mention_span(ref)
    if span is None:
        e = s.entities.get(ref.key)
        return e is not None and not _natural(s, e.label) and _suffix_level(s, e.label) is not None
    start, end = span
    text = s.doc[start:end].text
    if _natural(s, text) or text in s.lex.regions:
        return False
    return (place_level(s, start, end, text) is not None or any(t.ent_type_ in _ADMIN_NER for t in s.doc[start:end])
            or _described_admin(s, ref))


def _described_admin(s: Sentence, ref: Ref) -> bool:
    """The sentence describes the place as an administrative division: it is the subject of the
    predicate noun closing the sentence, and that noun names one (タイガードは、アメリカ合衆国
    オレゴン州ワシントン郡にある市。: lexicon admin_nouns)."""
    doc = s.doc
    k = s.span.end - 1
    while k > s.span.start and (doc[k].pos_ in ("PUNCT", "AUX") or doc[k].lemma_ == "ある" and doc[k].dep_ == "fixed"):
        if doc[k].text in PARENS_CLOSE:
            # …のムニシピオ(基礎自治体)。: the noun before the parenthesis closes the sentence
            while k > s.span.start and doc[k].text not in PARENS_OPEN:
                k -= 1
        k -= 1
    last = doc[k]
    if k in s.ent or (last.lemma_ not in s.lex.admin_nouns and last.text not in s.lex.admin_nouns):
        return False
    sub = s.subject(last)
    return sub is not None and any(r.key == ref.key for r in sub.refs)


def _natural(s: Sentence, text: str) -> bool:
    return any(text.endswith(x) for x in s.lex.natural_suffixes)


def _water(s: Sentence, text: str) -> bool:
    return any(text.endswith(x) for x in s.lex.water_suffixes)


# ---------------------------------------------------------------- frame

def predicate_lemmas(s: Sentence, pred) -> set[str]:
    """The lemma, compounds with the nouns before it (資金 + 提供 -> 資金提供) and light-verb
    phrases (手を組む, 傘下に収める)."""
    out = {pred.lemma_, pred.text}
    doc = s.doc
    prefix = ""
    k = pred.i - 1
    while k >= s.span.start and doc[k].dep_ == "compound" and doc[k].head.i == pred.i and k > pred.i - 4:
        prefix = doc[k].text + prefix
        out.add(prefix + pred.lemma_)
        k -= 1
    for c in pred.children:
        if c.i < pred.i and c.dep_ in ("obj", "obl") and s.particle(c) in ("を", "に"):
            out.add(f"{c.lemma_}{s.particle(c)}{pred.lemma_}")
        elif c.i < pred.i and c.dep_ == "obl" and s.particle(c) == "と" and pred.lemma_ == "する" and c.i not in s.ent:
            # Yを除名処分とする: the noun before とする is the predicate (…処分とする = 処分する)
            noun, k = c.lemma_, c.i - 1
            while k >= s.span.start and doc[k].dep_ == "compound" and doc[k].head.i == c.i:
                noun = doc[k].text + noun
                k -= 1
            out |= {noun, c.lemma_}
    return out


@matcher("frame")
def match_frames(s: Sentence, rules: Sequence[Rule], emit: Emit) -> None:
    index = s.ruleset.frame_index
    heads = s.ruleset.predicate_heads
    for pred in s.span:
        if pred.pos_ not in ("VERB", "NOUN", "ADJ", "PROPN") or (pred.lemma_ not in heads and pred.text not in heads):
            continue
        found = [r for lemma in predicate_lemmas(s, pred) for r in index.get(lemma, ()) if r.kind == "frame"]
        if not found:
            continue
        voice = s.voice(pred)
        args = s.arguments(pred)
        for rule in dict.fromkeys(found):
            if (rule.voice == "active" and voice == "passive") or (rule.voice == "passive" and voice != "passive"):
                continue
            _frame(s, rule, pred, args, emit)


def _frame(s: Sentence, rule: Rule, pred, args: list[Arg], emit: Emit) -> None:
    subj_slot, obj_slot = rule.subject, rule.object
    wanted_s, wanted_o = set(subj_slot.particles), set(obj_slot.particles)
    subjects = [a for a in args if not a.gap and a.cases & wanted_s]
    objects = [a for a in args if not a.gap and a.cases & wanted_o]
    gap = next((a for a in args if a.gap), None)
    if gap is not None and subjects and objects and "を" not in wanted_o and all(_recovered(s, a, pred) for a in subjects) \
            and not _comma_after(s, pred):
        # イジェフスクはロシア連邦に属するウドムルト共和国の首都: a relative clause with no subject
        # written and no object it could leave empty is about the noun right after it, not the
        # topic (with a comma after it, …にある、JR九州日豊本線の駅, it reaches past that noun)
        subjects = [gap]
    elif gap is not None:
        if not subjects and objects:
            subjects = [gap]
        elif subjects and not objects:
            objects = [gap]
        elif subjects and objects:
            # the noun a relative clause modifies fills the case its clause leaves empty
            # (アメリカ合衆国が…エニウェトク環礁で行った核実験: が and で are written, を is the gap)
            filled = _cases(c for a in args if not a.gap for c in a.cases)
            if _cases(wanted_s) - filled:
                subjects = subjects + [gap]
            elif _cases(wanted_o) - filled:
                objects = objects + [gap]
    for sa in subjects:
        for oa in objects:
            if sa.token == oa.token and sa.token >= 0:
                continue
            for sr in sa.refs:
                if not fits(s, sr, subj_slot):
                    continue
                for orf in oa.refs:
                    if sr.key != orf.key and fits(s, orf, obj_slot):
                        emit(rule, sr, orf, pred, (sa.token, oa.token, pred.i))


def _recovered(s: Sentence, arg: Arg, pred) -> bool:
    """The argument is not written as a dependent of ``pred`` (a topic or subject recovered from
    elsewhere in the sentence or an earlier one), or is a は-topic GiNZA hung on a relative clause
    (は never marks a relative clause's own subject)."""
    return arg.token < 0 or s.doc[arg.token].head.i != pred.i or arg.particle == "は" and pred.dep_ == "acl"


def _comma_after(s: Sentence, tok) -> bool:
    end = s._tail_end(tok)
    return end < s.span.end and s.doc[end].text in ("、", ",", "，")


def _cases(particles) -> set[str]:
    """Case slots of particles, the topic and inclusive particles counting as the subject's."""
    return {"が" if p in SUBJECT else p for p in particles}


# ---------------------------------------------------------------- scope

SCOPE_PARTICLES = ("では", "においては")


@matcher("scope")
def match_scopes(s: Sentence, rules: Sequence[Rule], emit: Emit) -> None:
    """Xでは…: a phrase that sets the scope of what follows (NBAではA、B、Cでプレイした; 日本では
    NET系列、日本テレビ系列で放送された) relates each ``member`` named after it, up to the next
    scope, to X, when a predicate of ``lemmas`` stands within that stretch, after the member or
    before it (イギリスでは…放映されたBBCの番組); the members need no particle of their own: they
    may sit in lists and modifiers."""
    doc = s.doc
    scopes = sorted((doc[stop - 1] for _start, stop, _key in s.mentions if s.particle(doc[stop - 1]) in SCOPE_PARTICLES or _during(s, stop)), key=lambda t: t.i)
    if not scopes:
        return
    for rule in rules:
        for n, scope in enumerate(scopes):
            end = scopes[n + 1].i if n + 1 < len(scopes) else s.span.end
            owners = [r for r in s.refs(scope) if fits(s, r, rule.slot("scope"))]
            if not owners:
                continue
            preds = [t for t in doc[scope.i + 1:end] if t.lemma_ in rule.lemmas or t.text in rule.lemmas]
            if not preds:
                continue
            for start, stop, key in s.mentions:
                if not scope.i < start < end:
                    continue
                pred = next((p for p in preds if p.i >= stop), preds[-1])
                member = Ref(key, stop - 1, "", (stop - 1) in s.anaphoric)
                if pred is None or not fits(s, member, rule.slot("member")):
                    continue
                for owner in owners:
                    if owner.key != key:
                        emit(rule, member, owner, pred, (stop - 1, owner.token, pred.i))


def _during(s: Sentence, stop: int) -> bool:
    """A name followed by a word for the time of it (lexicon scope_times) and a scope particle
    (メキシコ革命時には, 第二次世界大戦中には): the stretch after it happens within the event."""
    doc = s.doc
    return stop < s.span.end and doc[stop].text in s.lex.scope_times and s.bunsetu[stop] == s.bunsetu[stop - 1] \
        and s.particle(doc[stop]) in SCOPE_PARTICLES + ("には",)


# ---------------------------------------------------------------- role (titles)

def _title_rules(s: Sentence, tok) -> tuple[int, tuple[Rule, ...]] | None:
    """The role rules whose title ends at ``tok`` (compounds like 共同創業者 read back within the
    bunsetsu), with the first token of the title."""
    if tok.i in s.ent or tok.pos_ not in ("NOUN", "PROPN"):
        return None
    idx = s.ruleset.title_index
    doc, b = s.doc, s.bunsetu
    found = None
    for k in range(max(s.span.start, tok.i - 3), tok.i + 1):
        if b[k] != b[tok.i] or any(j in s.ent for j in range(k, tok.i)):
            continue
        text = doc[k:tok.i + 1].text.replace(" ", "")
        rules = idx.get(text)
        if rules:
            found = (_compound_start(s, k), rules)
            break
    if found is None and idx.get(tok.lemma_):
        found = (_compound_start(s, tok.i), idx[tok.lemma_])
    general = _occupation_rules(s, tok)
    if found and general:
        return found[0], found[1] + tuple(r for r in general[1] if r not in found[1])
    return found or general


def _occupation_rules(s: Sentence, tok) -> tuple[int, tuple[Rule, ...]] | None:
    """Rules for any occupation noun (GiNZA's Position_Vocation, or a noun + 家/者/手...)."""
    doc, b = s.doc, s.bunsetu
    nxt = tok.i + 1
    if nxt < len(doc) and b[nxt] == b[tok.i] and doc[nxt].pos_ in ("NOUN", "PROPN") and not doc[nxt].tag_.startswith("接尾辞") and nxt not in s.ent:
        return None  # not the head of its compound (a name right after it is not part of it)
    label = tok.ent_type_
    if tok.tag_.startswith("接尾辞") and tok.text in s.lex.occupation_suffixes and tok.i > s.span.start and doc[tok.i - 1].tag_.startswith("名詞") and tok.i - 1 not in s.ent:
        label = OCCUPATION  # 興行 + 家
        start = tok.i - 1
    elif tok.tag_.startswith("名詞-普通名詞"):
        start = tok.i
    else:
        return None
    rules = s.ruleset.title_ner_rules.get(label) if label else None
    if rules:
        return _compound_start(s, start), rules
    return None


def _compound_start(s: Sentence, i: int) -> int:
    """物理 + 学者, 陸上競技 + 選手: the first noun of the title's compound in its bunsetsu."""
    doc, b = s.doc, s.bunsetu
    k = i
    idx = s.ruleset.title_index
    lex = s.lex
    while k - 1 >= s.span.start and b[k - 1] == b[i] and k - 1 not in s.ent and doc[k - 1].pos_ in ("NOUN", "PROPN", "NUM", "ADJ"):
        prev = doc[k - 1]
        if prev.text in lex.title_prefixes or prev.text in lex.title_joiners or prev.text in idx or prev.lemma_ in idx:
            break  # 会長兼CEO: CEO's compound stops at the joiner and the title before it
        k -= 1
    return k


def title_chains(s: Sentence) -> list[tuple[int, int, list[tuple[int, tuple[Rule, ...]]]]]:
    """Runs of titles joined by 兼, ・, 、 or a copula (取締役でチーフサイエンティスト):
    (first token, last token, [(title token, rules)])."""
    lex = s.lex
    doc = s.doc
    spots = []
    for tok in s.span:
        hit = _title_rules(s, tok)
        if hit:
            spots.append((hit[0], tok.i, hit[1]))
    chains: list = []
    for start, end, rules in spots:
        if chains:
            c_start, c_end, items = chains[-1]
            between = doc[c_end + 1:start]
            if c_end < start and all(t.text in lex.title_joiners or t.text in lex.title_prefixes or t.text in ("で", "であり") for t in between) and len(between) <= 2:
                chains[-1] = (c_start, end, items + [(end, rules)])
                continue
            if start <= c_end:
                # a longer title read back over the last one (チーフ + サイエンティスト)
                chains[-1] = (min(c_start, start), end, items[:-1] + [(end, rules)])
                continue
        chains.append((start, end, [(end, rules)]))
    return chains


def _of_side(s: Sentence, start: int) -> tuple[list[Ref], int | None]:
    """The X of XのTITLE or X TITLE: refs and the token they were read from."""
    doc = s.doc
    lex = s.lex
    k = start - 1
    while k >= s.span.start and (doc[k].text in lex.title_prefixes or doc[k].like_num or doc[k].text in ("第", "代", "目")):
        k -= 1
    if k < s.span.start:
        return [], None
    if doc[k].text == "その" and doc[k].pos_ == "DET":
        # 加藤景廉が…、その長男の遠山景朝が / 藤原鎌足とその子息: the person or organisation named last before it
        for m_start, m_end, key in reversed(s.mentions):
            if m_end <= k and s.class_ok(key, ("Person", "Organization")):
                return [Ref(key, _head_of(s, m_start, m_end), "", _head_of(s, m_start, m_end) in s.anaphoric)], None
        return [], None
    if doc[k].text == "の" and k - 1 >= s.span.start and doc[k - 1].text.endswith("目"):
        # 長渕剛の5枚目のシングル, アウグストゥスの3番目の妻: past the ordinal to the owner's の
        j = k - 2 if doc[k - 1].text == "目" else k - 1
        start_j = j
        while j >= s.span.start and (doc[j].like_num or "助数詞" in doc[j].tag_ or doc[j].text in ("作", "番", "代", "期")):  # 13作目
            j -= 1
        if j < start_j and doc[j].text == "の":
            k = j
    elif doc[k].text == "の" and k - 2 >= s.span.start and doc[k - 1].text in lex.title_modifiers and doc[k - 2].text == "の":
        k -= 2  # ラヨシュ1世の最初の妃: past a modifier that owns nothing to the owner
    elif doc[k].text == "の" and k - 3 >= s.span.start and doc[k - 2].text + doc[k - 1].text in lex.title_modifiers and doc[k - 3].text == "の":
        k -= 3  # Xの父違いの兄弟: a modifier of two words
    if doc[k].text == "の" and doc[k].pos_ == "ADP" and k - 1 >= s.span.start:
        refs = list(s.refs(doc[k - 1]))
        agent = _agent_before(s, k - 1)
        return refs + agent, k - 1
    # 綾辻行人による小説: the agent of the work
    agent = _agent_before(s, k + 1)
    if agent:
        return agent, k - 2
    if k in s.ent and doc[k].pos_ not in ("ADP", "PUNCT", "SCONJ", "AUX", "SYM"):
        return list(s.refs(doc[k])), k
    return [], None


def _agent_before(s: Sentence, i: int) -> list[Ref]:
    """The agent of Xによる written right before token ``i`` (or before the name starting at it:
    小玉有起による[日本]の漫画), else nothing."""
    doc = s.doc
    k = _mention_start(s, i) if i in s.ent else i
    if k - 3 >= s.span.start and doc[k - 2].text == "に" and doc[k - 1].lemma_ == "よる":
        j = k - 3
        # ブラッドリー・クーパー監督・主演による: past the agent's titles to the name
        while j > s.span.start and j not in s.ent and (doc[j].text in ("・", "、") or doc[j].text in s.ruleset.title_index or doc[j].lemma_ in s.lex.agent_titles):
            j -= 1
        return list(s.refs(doc[j]))
    return []


def _mention_at(s: Sentence, i: int) -> tuple[int, int, str] | None:
    for m in s.mentions:
        if m[0] == i:
            return m
    return None


def _head_of(s: Sentence, start: int, end: int) -> int:
    """The token of a mention span that carries its arc (or the last one)."""
    for t in s.doc[start:end]:
        if t.head.i < start or t.head.i >= end:
            # the bunsetsu may extend past the mention (氏); take its head
            return t.i
    return end - 1


def _mention_ref(s: Sentence, m) -> Ref:
    """The entity of mention ``m`` (start token, end token, key), at the token carrying its arc."""
    return Ref(m[2], _head_of(s, m[0], m[1]), "", False)


def _appositive_holder(s: Sentence, end: int) -> Ref | None:
    """XのTITLE(である|であり|の|、)Z: the Z right after the title chain."""
    doc = s.doc
    q = end + 1
    if q < s.span.end and doc[q].text in _OPEN and doc[q].text in "(（":
        close = _OPEN[doc[q].text]
        while q < s.span.end and doc[q].text != close:
            q += 1
        q += 1
    for link in _APPOSITIVE_LINKS:
        if q + len(link) >= s.span.end:
            continue
        if all(doc[q + n].text == w for n, w in enumerate(link)):
            m = _mention_at(s, q + len(link))
            if m is not None:
                if not link and s.particle(doc[end]):
                    continue
                if m[1] < s.span.end and doc[m[1]].text in s.lex.rank_titles and _mention_at(s, m[1] + 1) is not None:
                    m = _mention_at(s, m[1] + 1)  # Xの子、ノヴゴロド公ウラジーミル: past the place of a rank
                return Ref(m[2], _head_of(s, m[0], m[1]), "", _head_of(s, m[0], m[1]) in s.anaphoric)
    return None


def _predicate_head(s: Sentence, tok):
    """The predicate noun of the clause when the title is its predicate (ZはXのCEOだ / ZはXのCEOで、
    … / ZはXのCEO。), following coordinated predicate nouns (日本の漫才師、俳優、監督。) to the
    last one, which carries the subject; else None."""
    if any(c.dep_ == "cop" for c in tok.children):
        return tok  # …外交官でもある
    if s.particle(tok) and s.particle(tok) not in ("で",):
        return None
    if tok.dep_ == "ROOT":
        return tok
    nxt = tok.i + 1
    if nxt < len(s.doc) and s.doc[nxt].text in ("(", "（"):
        nxt = s._after_paren(nxt)  # …選手(クルー)。
    if nxt >= s.span.end or s.doc[nxt].text in SENTENCE_END:
        return tok
    # 日本の小説家、コピーライター。 / …県の都市および基礎自治体である: the first of coordinated
    # predicate nouns
    head = tok.head
    if (tok.dep_ in ("conj", "advcl", "nmod", "compound") and head.i > tok.i and nxt < len(s.doc)
            and (s.doc[nxt].text in ("、", "・") or s.doc[nxt].pos_ == "CCONJ") and head.pos_ in ("NOUN", "PROPN") and head.i not in s.ent):
        return _predicate_head(s, head)
    if s.doc[nxt].text in ("、", "・"):
        # 米国の演劇評論家、雑誌編集者。 however GiNZA hung the first noun: nothing but nouns
        # follow it up to the sentence's nominal root
        root = s.span.root
        rest = s.doc[nxt:root.i + 1]
        if root.i > tok.i and root.pos_ in ("NOUN", "PROPN") and root.i + 1 < s.span.end and s.doc[root.i + 1].text in SENTENCE_END \
                and all(t.pos_ in ("NOUN", "PROPN", "SYM") or t.text in ("、", "・") for t in rest) and not any(t.i in s.ent for t in rest):
            return root
    return None


def _copula_subject(s: Sentence, tok):
    """The subject of the clause whose predicate noun ``tok`` is (None when it is not one); a
    noun closing the topic's clause before another topic (ZはXの選手、専門はY) stands for the topic."""
    head = _predicate_head(s, tok)
    if head is not None:
        sub = s.subject(head)
        if sub is not None:
            return sub
    nxt = tok.i + 1
    if nxt + 1 < s.span.end and s.doc[nxt].text == "、" and not s.particle(tok):
        topic = _noun_head(s, nxt + 1)
        if topic is not None and topic.i not in s.ent and s.particle(topic) == "は":
            refs = _topic_before(s, tok.i)
            if refs:
                return Arg(-1, "は", frozenset({"が"}), tuple(refs))
    occupation = _is_occupation(s, tok)
    if nxt + 1 < s.span.end and s.doc[nxt].text == "で" and (
            s.doc[nxt + 1].text == "、" and (s.doc[nxt].pos_ == "AUX" or occupation)
            or occupation and _closes_with_noun(s) and not _occupation_of_name(s, nxt + 1)):
        # ギーゼラはヘルマン2世の娘で、…と結婚した: GiNZA hangs the noun on what follows, but the
        # copula's continuative form closes the topic's first clause (after an occupation GiNZA
        # may tag で a case particle: …科学作家で、…を専門としている; in a sentence that closes
        # with a noun, no comma is needed: Xは、ドイツのピアニスト・指揮者・音楽教師で…の作曲家。
        # and Xは、オスマン帝国出身の医師で実業家。, unless another occupation follows that with the
        # first qualifies a name: 作家で化学者Y)
        refs = _topic_before(s, tok.i)
        if refs:
            return Arg(-1, "は", frozenset({"が"}), tuple(refs))
    return None


def _occupation_of_name(s: Sentence, i: int) -> bool:
    """An occupation noun at ``i`` with a name right after it (化学者アレクサンダー・シュルギン)."""
    n = _noun_head(s, i)
    return n is not None and _is_occupation(s, n) and _mention_at(s, n.i + 1) is not None


def _is_occupation(s: Sentence, tok) -> bool:
    return tok.ent_type_ == OCCUPATION or tok.lemma_ in s.ruleset.title_index


def _closes_with_noun(s: Sentence) -> bool:
    """The sentence ends with a noun, before any copula (…の作曲家。 / …の作曲家である。): no verb
    closes it for a case particle to serve."""
    j = s.span.end - 1
    while j > s.span.start and (s.doc[j].pos_ in ("PUNCT", "SYM", "AUX") or s.doc[j].text in ("ある", "です")):
        j -= 1
    return s.doc[j].pos_ in ("NOUN", "PROPN") and s.doc[j].i > s.span.start


@matcher("role")
def match_roles(s: Sentence, rules: Sequence[Rule], emit: Emit) -> None:
    lex = s.lex
    doc = s.doc
    for start, end, items in title_chains(s):
        of, of_tok = _of_side(s, start)
        holders: list[tuple[Ref, object, str]] = []  # (holder, predicate, form)
        suffix_of = None
        if of and of_tok is not None and doc[of_tok].text != "の" and start - 1 == of_tok:
            # X の Z TITLE (ユコス社のホドルコフスキー社長): the juxtaposed entity may be the holder
            prev_of, _ = _of_side(s, _mention_start(s, of_tok))
            if prev_of:
                holders.extend((r, None, "suffix") for r in of)
                suffix_of = prev_of
        z = _appositive_holder(s, end)
        if z is not None:
            holders.append((z, None, "appositive"))
            # 蔡明亮監督の『愛情万歳』や『Hole-洞』: the names listed after the holder hold the title too
            zm = next((m for m in s.mentions if m[0] <= z.token < m[1]), None)
            if zm is not None:
                holders.extend((_mention_ref(s, c), None, "appositive")
                               for c in _coordinated(s, zm, {m[0]: m for m in s.mentions}))
            if not of and (of_tok is None or doc[of_tok].lemma_ in lex.title_modifiers):
                # OpenAIは、最大の投資家(…)であるMicrosoftが…: the title's owner is the topic
                of = _topic_before(s, start)
        head = doc[end]
        sub = _copula_subject(s, head)
        if sub is not None:
            holders.extend((r, head, "copula") for r in sub.refs)
        p = s.particle(head)
        verb = head.head
        become = p == "と" and verb.lemma_ == "なる"
        if (p == "に" or become and of) and verb.i > head.i and verb.lemma_ in lex.appoint_subject:
            # ZがXのTITLEに就任した / X委員となったZ (with an owner written and no subject of its
            # own, a relative clause's title goes to the noun it modifies; 寡婦となった娘: no owner,
            # a state, not a post)
            sub = _holder_of_clause(s, verb, of)
            if sub is not None:
                holders.extend((r, verb, "appoint") for r in sub.refs)
        elif p == "に" and verb.i > head.i and verb.lemma_ in lex.appoint_object:
            for a in s.arguments(verb):
                if "を" in a.cases and not a.gap:
                    holders.extend((r, verb, "appoint") for r in a.refs)
            if not of:
                sub = s.subject(verb)
                if sub is not None:
                    of = [r for r in sub.refs]
        elif p == "を" and verb.i > head.i and verb.lemma_ in lex.serve_verbs:
            sub = _holder_of_clause(s, verb, of)  # ZがXのTITLEを務める / X市長を務めるZ
            if sub is not None:
                holders.extend((r, verb, "serve") for r in sub.refs)
        elif p in lex.kin_copulas or p == "に" and verb.i > head.i and verb.lemma_ in lex.kin_copulas:
            # ZはXの娘にあたる / Xの娘にあたり、…: the subject is what the title says it is
            sub = s.subject(verb if p == "に" else head.head)
            if sub is not None:
                holders.extend((r, verb, "copula") for r in sub.refs)
        elif p == "として" and verb.i > head.i:
            # ZはXの長男として生まれた / ZはXのCEOとして加わった
            sub = s.subject(verb)
            if sub is not None:
                holders.extend((r, verb, "appoint") for r in sub.refs)
        elif p == "の" and any(doc[t].lemma_ in lex.adnominal_titles or doc[t].text in lex.adnominal_titles for t, _ in items):
            holders.extend(_described(s, head))
        elif p == "は" and verb.i > head.i and verb.i in s.ent and s.particle(verb) in ("", "で"):
            holders.extend((r, verb, "copula") for r in s.refs(verb))  # 妻は元アナウンサーの長野翼。
        elif p == "は" and verb.i > head.i and (named := _copula_name_after(s, head)) is not None:
            holders.append((named, doc[named.token], "copula"))  # 郡庁所在地はライマ市(人口…)であり、…都市である。
        elif p == "に" and verb.i > head.i and verb.lemma_ in lex.exist_verbs:
            sub = s.subject(verb)  # 弟にフランシス、アレグザンダーがいる
            if sub is not None and sub.particle == "が":
                holders.extend((r, verb, "copula") for r in sub.refs)
        if not holders:
            continue
        topic_of = None
        owner_unread = any(doc[k].pos_ == "PROPN" for k in range(start, items[0][0])) or (
            start - 1 >= s.span.start and doc[start - 1].pos_ in ("NOUN", "PROPN") and doc[start - 1].text not in lex.title_prefixes)
        if not of and of_tok is None and not owner_unread and any(r.pattern.get("of_topic") for _t, rs in items for r in rs):
            # 妻の賀川ハル, 姉はアン: no owner written; the topic owns the title (rules with of_topic);
            # not when a name the pipeline did not read owns it (両シチリア王妃マリア: a queen's rank)
            topic_of = _topic_before(s, start) or ([s.topic] if s.topic is not None else [])
        scope_of: dict[str, list[Ref]] = {}
        if not of and of_tok is None and not owner_unread:
            # ノルウェーでは首都オスロ: no owner written; the one entity before the title fitting the
            # rule's of_scope slot owns it (rules with of_scope)
            held = {h.key for h, _p, _f in holders}
            before = {m[2]: Ref(m[2], _head_of(s, m[0], m[1])) for m in s.mentions if m[1] <= start and m[2] not in held}
            for rule in {r for _t, rs in items for r in rs if "of_scope" in r.pattern}:
                owners = [r for r in before.values() if fits(s, r, rule.slot("of_scope"))]
                if len(owners) == 1:
                    scope_of[rule.id] = owners
        chain = None
        for _tok, rs in items:
            for rule in rs:
                for holder, pred, form in holders:
                    if form not in rule.forms:
                        continue
                    sides = suffix_of if form == "suffix" else topic_of if topic_of and rule.pattern.get("of_topic") else scope_of.get(rule.id, of)
                    if rule.pattern.get("of_chain") and form != "suffix":
                        if chain is None:
                            chain = _place_chain(s, _mention_start(s, of_tok) if of_tok is not None else start)
                        sides = list(sides or ()) + chain
                    for x in sides or ():
                        if x.key == holder.key:
                            continue
                        h, o = holder, x
                        if not (fits(s, h, rule.holder) and fits(s, o, rule.of)):
                            # 蔡明亮監督の『愛情万歳』: the name before an agent title holds it
                            if form != "appositive" or not (fits(s, x, rule.holder) and fits(s, holder, rule.of)) or of_tok is None or doc[of_tok].text == "の":
                                continue
                            h, o = x, holder
                        emit(rule, h, o, pred, (x.token, holder.token, end))


def _holder_of_clause(s: Sentence, verb, of) -> Arg | None:
    """Who takes the title of ``verb`` (就任, なる, 務める): its subject; in a relative clause
    with no subject of its own and the title's owner written, the noun the clause modifies
    (X委員となったZ, X市長を務めるZ)."""
    own = any(c.i < verb.i and s.particle(c) in SUBJECT and s.refs(c) for c in verb.children)
    if verb.dep_ == "acl" and of and not own:
        gap = s.gap(verb)
        if gap is not None:
            return gap
    return s.subject(verb)


def _copula_name_after(s: Sentence, title) -> Ref | None:
    """TITLEはZ(…)であり、…: the name right after the title's は that its own copula makes the
    predicate of a first clause, which GiNZA may leave off the title's arc (郡庁所在地はライマ市
    (人口38,771人)であり、同郡で人口最大の都市でもある: 所在地 hangs on 都市)."""
    m = _mention_at(s, _after_particle(s, title))
    if m is None:
        return None
    hd = _head_of(s, m[0], m[1])
    if not any(c.dep_ == "cop" for c in s.doc[hd].children):
        return None
    return Ref(m[2], hd, "", hd in s.anaphoric)


def _place_chain(s: Sentence, start: int, hops: int = 3) -> list[Ref]:
    """The larger places the place name starting at token ``start`` is listed under: オランダ・
    北ホラント州…, フランスのパリ, ノルウェー、テレマルク県ボー (the name needs no mention)."""
    doc = s.doc
    ends = {m[1] - 1: m for m in s.mentions}
    out: list[Ref] = []
    if start not in s.ent:  # テレマルク|県ボー出身: the unrecognised name's tokens before its bunsetsu
        k = 0
        while k < 3 and start - 1 >= s.span.start and start - 1 not in s.ent and doc[start - 1].pos_ in ("NOUN", "PROPN"):
            start -= 1
            k += 1
    while hops > 0:
        j = start - 1
        if j >= s.span.start and j in ends:
            m = ends[j]  # 北ホラント州|ヘンスブルーク: a larger place written right before
        elif j < s.span.start or doc[j].text not in ("、", "・", "の") or j - 1 not in ends:
            break
        else:
            m = ends[j - 1]
        out.append(_mention_ref(s, m))
        start = m[0]
        hops -= 1
    return out


def _topic_before(s: Sentence, i: int) -> list[Ref]:
    """The entities of the sentence's は-topic before token ``i``."""
    for t in s.span:
        if t.i >= i:
            break
        if s.particle(t) == "は" and t.dep_ in ("nsubj", "obl", "dep", "nsubj:pass"):
            return list(s.refs(t))
    return []


def _described(s: Sentence, title) -> list[tuple[Ref, object, str]]:
    """X出身のN: what N stands for — the name right after it (出身の歌手Z), or the subject
    when N is the predicate (ZはX出身の人物である)."""
    n = title.head if title.head.i > title.i and title.head.pos_ in ("NOUN", "PROPN") else _noun_head(s, _after_particle(s, title))
    while n is not None and n.i not in s.ent and n.head.i > n.i and n.dep_ in ("compound", "nmod") and not s.particle(n) \
            and s.bunsetu[n.head.i] == s.bunsetu[n.i] and n.head.pos_ in ("NOUN", "PROPN"):
        n = n.head  # 出身の[元同国代表サッカー]選手: the head of the compound
    while n is not None and n.i in s.ent and s.particle(n) == "の" and n.head.i > n.i and n.head.pos_ in ("NOUN", "PROPN"):
        n = n.head  # レニングラード出身の[ソビエト連邦の]宇宙飛行士: past another modifier to the noun
    if n is None:
        return []
    if n.i in s.ent:
        return [(r, None, "appositive") for r in s.refs(n)]
    z = _appositive_holder(s, n.i)
    if z is not None:
        return [(z, None, "appositive")]
    sub = _copula_subject(s, n)
    if sub is not None:
        return [(r, n, "copula") for r in sub.refs]
    return []


def _mention_start(s: Sentence, tok_i: int) -> int:
    for a, b, _k in s.mentions:
        if a <= tok_i < b:
            return a
    return tok_i


# ---------------------------------------------------------------- possessive

@matcher("possessive")
def match_possessives(s: Sentence, rules: Sequence[Rule], emit: Emit) -> None:
    starts = {m[0]: m for m in s.mentions}
    ends = {m[1] - 1 for m in s.mentions}
    for tok in s.span:
        if tok.i not in ends and (tok.i + 1 >= s.span.end or s.doc[tok.i + 1].text != "の"):
            continue
        p = s.particle(tok)
        xs = None
        for rule in rules:
            for conn in rule.connectors:
                if conn == "の" and p != "の" or conn == "" and (p or tok.i not in ends):
                    continue
                if xs is None:
                    xs = s.refs(tok) if tok.i in s.ent or not tok.pos_ == "PROPN" else ()
                if not xs:
                    break
                nxt = _after_particle(s, tok)
                m = starts.get(nxt)
                if m is not None and _modifies_next_noun(s, m):
                    m = None  # Intelの「Wintel」パートナーシップ: the name modifies the noun after it
                z = _mention_ref(s, m) if m is not None and (conn or s.ent.get(tok.i) != m[2]) else None
                if z is not None and (fits(s, z, rule.holder) or not rule.heads):
                    _possessive(s, rule, xs, z, None, emit)
                    for c in _coordinated(s, m, starts):
                        _possessive(s, rule, xs, _mention_ref(s, c), None, emit)
                elif conn == "の" and rule.heads and nxt < s.span.end:
                    # ZはXのN (N one of the rule's heads, or any noun for "*"): the predicate noun
                    # stands for Z; ZはXのYのN reads past a modifier Y that names nothing, and
                    # ZはXのYN past a name Y of another kind (日本のフランス文学者)
                    n = _predicate_noun(s, nxt, starts)
                    if n is not None and n.i not in s.ent and (n.lemma_ in rule.heads or "*" in rule.heads):
                        # カナダの都市トロント: the name right after the head noun; after a head the
                        # rule lists, in quotes or past a copula or comma too (日本のアニメ『カウボーイ
                        # ビバップ』, …大手チャンネルであるESPN; not after any noun: スイスの州であるZ)
                        named = _appositive_holder(s, n.i) if n.lemma_ in rule.heads else None
                        if named is None and n.i + 1 in starts:
                            after = starts[n.i + 1]
                            named = _mention_ref(s, after)
                        if named is not None:
                            _possessive(s, rule, xs, named, None, emit)
                            # …の3つの町であるハンコ(…)、カルッキラ(…)、ロヴィーサ: and the names listed with it
                            span = s.mention_span(named)
                            for c in _coordinated(s, (*span, named.key), starts) if span else ():
                                _possessive(s, rule, xs, _mention_ref(s, c), None, emit)
                            continue
                        sub = _copula_subject(s, n)
                        for z in sub.refs if sub is not None else ():
                            _possessive(s, rule, xs, z, n, emit)
    return None


@matcher("parenthetical")
def match_parentheticals(s: Sentence, rules: Sequence[Rule], emit: Emit) -> None:
    """Z(X) / Z(X発行): the only name inside the parenthesis right after a name (past its closing
    quote), with nothing after it but the rule's ``trailing`` words, is the holder; the name
    before it is the ``of`` side (『ヤングエース』(角川書店): the magazine's publisher)."""
    doc = s.doc
    for start, end, key in s.mentions:
        q = end
        while q < s.span.end and doc[q].text in _OPEN.values() and doc[q].text not in ")）":
            q += 1
        if q + 1 >= s.span.end or doc[q].text not in ("(", "（"):
            continue
        m = _mention_at(s, q + 1)
        if m is None or m[2] == key:
            continue
        z = Ref(key, _head_of(s, start, end), "", False)
        x = _mention_ref(s, m)
        for rule in rules:
            k = m[1]
            while k < s.span.end and doc[k].text in rule.pattern.get("trailing", ()):
                k += 1
            if k < s.span.end and doc[k].text in (")", "）") and fits(s, x, rule.holder) and fits(s, z, rule.of):
                if rule.pattern.get("levels_below") and s.class_ok(z.key, ("Place",)) and not _below(s, z, x):
                    continue  # ショプロン県(エーデンブルク県): another name of the place, not a larger one
                emit(rule, x, z, None, (x.token, z.token))


@matcher("name_prefix")
def match_name_prefixes(s: Sentence, rules: Sequence[Rule], emit: Emit) -> None:
    """Z named after X: a mention of Z whose text opens with the text of a mention of X elsewhere
    in the sentence, up to a word boundary inside Z's name (インド原子力委員会 … インド初の:
    the commission is the holder, India the ``of`` side; インドネシア銀行 does not open with the
    word インド)."""
    doc = s.doc
    for start, end, key in s.mentions:
        name = doc[start:end].text
        cuts = {len(doc[start:k].text) for k in range(start + 1, end)}  # word boundaries in the name
        z = None
        for a, b, xkey in s.mentions:
            prefix = doc[a:b].text
            if xkey == key or len(prefix) not in cuts or not name.startswith(prefix):
                continue
            x = _mention_ref(s, (a, b, xkey))
            z = z or _mention_ref(s, (start, end, key))
            for rule in rules:
                if fits(s, z, rule.holder) and fits(s, x, rule.of):
                    emit(rule, z, x, None, (x.token, z.token))


def _below(s: Sentence, z: Ref, x: Ref) -> bool:
    """The place named by ``z`` may lie in the one named by ``x``: ``x`` has a known level (a
    country, a level suffix) and ``z`` none or a lower one (カンパラ(カンパラ県), カーン(…カルヴァドス県))."""
    lx, lz = _name_level(s, x, False), _name_level(s, z, False)
    return lx is not None and (lz is None or lz > lx)


def _predicate_noun(s: Sentence, i: int, starts, hops: int = 2):
    """The head noun of the phrase at ``i``, past up to ``hops`` modifiers YのN that name nothing
    (ジャマイカのレゲエの音楽プロデューサー), and past an adjective that modifies it (英国の前衛的な
    グループ, 日本の新しいバンド)."""
    n = _noun_head(s, i)
    adj = n if n is not None else s.doc[i]
    if adj.pos_ == "ADJ" or n is not None and any(c.dep_ == "cop" and c.text == "な" for c in n.children):
        j = max([adj.i] + [c.i for c in adj.children if c.i > adj.i]) + 1
        n = _noun_head(s, j) if j < s.span.end and adj.head.i >= j else None
    while n is not None and hops > 0 and n.i not in s.ent and s.particle(n) == "の" and n.head.i > n.i:
        nxt = _after_particle(s, n)
        if nxt in starts or nxt >= s.span.end:
            return None
        n = _noun_head(s, nxt)
        hops -= 1
    return n


def _modifies_next_noun(s: Sentence, m) -> bool:
    doc = s.doc
    j = m[1]
    if not (j < s.span.end and doc[j].text in ("」", "』")):
        return False
    j += 1
    return j < s.span.end and doc[j].pos_ in ("NOUN", "PROPN") and j not in s.ent and s.bunsetu[j] == s.bunsetu[m[1] - 1] and doc[j].text not in s.lex.title_prefixes and not doc[j].tag_.startswith("接尾辞")


def _after_particle(s: Sentence, tok) -> int:
    """The token after ``tok``'s particle (and an opening quote: Xの『Y』). The particle right
    after ``tok`` is its own though GiNZA hangs it elsewhere (X(reading)は、AのB: a reading in
    parentheses flattens the phrases after it into one compound)."""
    doc = s.doc
    j = tok.i + 1
    while j < s.span.end and doc[j].pos_ in ("ADP", "SCONJ") and (
            doc[j].head.i in (tok.i, j - 1) or j == tok.i + 1 and s.particle(tok).startswith(doc[j].text)):
        j += 1
    if j < s.span.end and doc[j].text in ("『", "「"):
        j += 1
    return j


def _noun_head(s: Sentence, i: int):
    """The head noun of the bunsetsu starting at ``i`` (skipping compounds and adjectives, and a
    middle dot between two nouns of the compound: ファンタジー・ドラマ映画), short of a name the
    bunsetsu runs on into (ロシアの石油会社ユコス社: 会社)."""
    doc, b = s.doc, s.bunsetu
    j = i
    while j + 1 < s.span.end and b[j + 1] == b[i] and (j + 1 not in s.ent or j in s.ent) and (doc[j + 1].pos_ in ("NOUN", "PROPN") or (
            doc[j + 1].text == "・" and j + 2 < s.span.end and b[j + 2] == b[i] and doc[j + 2].pos_ in ("NOUN", "PROPN"))):
        j += 1
    t = doc[j]
    return t if t.pos_ in ("NOUN", "PROPN") else None


def _coordinated(s: Sentence, m, starts) -> list:
    """The names listed after mention ``m`` (XのA、B、CとD: B, C and D share A's X), up to one
    that has an X of its own (XのA、YのB) or a person joined by と (ロシアのAとB: B may be anyone)."""
    doc = s.doc
    out = []
    end = _past_quoted(s, m[1])
    while end + 1 < s.span.end and doc[end].text in s.lex.list_joiners:
        # 『愛情万歳』や『Hole-洞』: past the quotes around the titles
        c = starts.get(end + 2 if doc[end + 1].text in ("『", "「") else end + 1)
        if c is None or doc[end].text != "、" and s.class_ok(c[2], ("Person",)):
            break
        nxt = c[1]
        if nxt + 1 < s.span.end and doc[nxt].text == "の" and nxt + 1 in starts:
            break
        out.append(c)
        end = _past_quoted(s, c[1])
    return out


def _past_quoted(s: Sentence, j: int) -> int:
    """``j`` past a closing quote and a parenthesis after a name (『Z』(1979年)、…)."""
    if j < s.span.end and s.doc[j].text in ("』", "」"):
        j += 1
    return _past_paren(s, j)


def _past_paren(s: Sentence, j: int) -> int:
    """``j``, or the token after a parenthesis opening there (ショプロン県(エーデンブルク県)、…)."""
    if j < s.span.end and s.doc[j].text in ("(", "（"):
        return min(s._after_paren(j), s.span.end)
    return j


def _possessive(s: Sentence, rule: Rule, xs, z: Ref, pred, emit: Emit) -> None:
    for x in xs:
        if x.key != z.key and fits(s, x, rule.of) and fits(s, z, rule.holder):
            if rule.pattern.get("levels_required") and not _admin_pair(s, x, z):
                continue
            if rule.pattern.get("levels_consistent") and not _levels_consistent(s, x, z):
                continue  # 日本のフランス(文学者): a country is in no other country
            emit(rule, z, x, pred, (x.token, z.token))


def _admin_pair(s: Sentence, x: Ref, z: Ref) -> bool:
    """Both are administrative places and z is below x (カナダのオンタリオ州, 州の郡)."""
    lx, lz = _ref_level(s, x), _ref_level(s, z)
    if lx is not None and lz is not None:
        return lz > lx
    return lx == 1 and lz is None and _subnational(s, z)


def _levels_consistent(s: Sentence, x: Ref, z: Ref) -> bool:
    """Nothing known of the two places contradicts z lying in x: z is no country inside a place
    of known level (日本のフランス, サナーグ州のソマリア). A level suffix outranks Sudachi's country
    tag (アルタイ共和国 is a republic of Russia); GiNZA's Country label alone does not make z a
    country (it gives it to cities: ノルウェーの都市ベルゲン)."""
    return not (_name_level(s, z, False) == 1 and _name_level(s, x, True) is not None and _ref_text(s, x) not in s.lex.regions)


def _name_level(s: Sentence, r: Ref, ner: bool) -> int | None:
    """The place level of the mention at ``r``: its level suffix first, then its country tag
    (``ner``: GiNZA's Country label too)."""
    span = s.mention_span(r)
    if span is None:
        return None
    end, text = _without_part(s, span[0], span[1], s.doc[span[0]:span[1]].text)
    return _suffix_level(s, text) or place_level(s, span[0], end, text, ner)


def _subnational(s: Sentence, r: Ref) -> bool:
    for start, end, key in s.mentions:
        if key == r.key and start <= r.token < end:
            return any(t.ent_type_ in _SUBNATIONAL for t in s.doc[start:end])
    return False


def _ref_level(s: Sentence, r: Ref) -> int | None:
    for start, end, key in s.mentions:
        if key == r.key and start <= r.token < end:
            return place_level(s, start, end, s.doc[start:end].text)
    return None


# ---------------------------------------------------------------- pair

@matcher("pair")
def match_pairs(s: Sentence, rules: Sequence[Rule], emit: Emit) -> None:
    index = s.ruleset.frame_index
    heads = s.ruleset.predicate_heads
    for pred in s.span:
        if pred.lemma_ not in heads and pred.text not in heads:
            continue
        found = [r for lemma in predicate_lemmas(s, pred) for r in index.get(lemma, ()) if r.kind == "pair"]
        if not found:
            continue
        for a in s.arguments(pred):
            if len(a.refs) < 2 or a.gap or not (a.cases & {"が", "は", "の", "も"} or a.particle in SUBJECT):
                continue
            for rule in dict.fromkeys(found):
                members = sorted((r for r in a.refs if fits(s, r, rule.members)), key=lambda r: r.token)
                for n, x in enumerate(members):
                    for y in members[n + 1:]:
                        if x.key != y.key:
                            emit(rule, x, y, pred, (x.token, y.token, pred.i))


# ---------------------------------------------------------------- hierarchy (place lists)

def place_level(s: Sentence, start: int, end: int, text: str, ner: bool = True) -> int | None:
    """1 for a country (GiNZA's Country label or Sudachi's place-name-country tag; ``ner=False``:
    Sudachi's tag only), else the level of the name's suffix (州 2, 県 3, 市 4...: lexicon
    place_levels), else None. A part word ending the name (インド西部, テキサス州中部: lexicon
    place_parts) does not change the level."""
    end, text = _without_part(s, start, end, text)
    last = s.doc[end - 1]
    if last.tag_.endswith("地名-国"):
        return 1  # チェコ共和国, アメリカ合衆国: the name ends in a country
    level = _suffix_level(s, text)
    if level is None and ner and last.ent_type_ == "Country":
        return 1
    return level


def _without_part(s: Sentence, start: int, end: int, text: str) -> tuple[int, str]:
    """The name without a part word ending it (タタールスタン共和国北東部 -> タタールスタン共和国)."""
    for n in (2, 1):  # 北西端 may come as 北西 + 端
        if end - start > n and "".join(t.text for t in s.doc[end - n:end]) in s.lex.place_parts:
            return end - n, s.doc[start:end - n].text
    return end, text


def _suffix_level(s: Sentence, text: str) -> int | None:
    levels = s.lex.place_levels
    for n in range(min(4, len(text) - 1), 0, -1):
        lv = levels.get(text[-n:])
        if lv is not None:
            return lv
    return None


@matcher("hierarchy")
def match_hierarchies(s: Sentence, rules: Sequence[Rule], emit: Emit) -> None:
    """スペイン、ガリシア州、ルーゴ県 / アメリカ合衆国テキサス州中部、ダラス郡とコリン郡: a run of
    places from larger to smaller, each in the one before it."""
    doc, lex = s.doc, s.lex
    ms = s.mentions
    if len(ms) < 2:
        return
    for rule in rules:
        chain: list[tuple[int, int, str, int | None, str]] = []  # (start, end, key, level, joined by)
        for m in ms:
            start, end, key = m
            ref = Ref(key, end - 1)
            if not fits(s, ref, rule.holder):
                chain = []
                continue
            text = doc[start:end].text
            level = place_level(s, start, end, text)
            link = None
            if chain:
                prev_end = chain[-1][1]
                words = [t.text for t in doc[prev_end:start]]
                if words and words[0] in lex.place_levels and chain[-1][3] is None:
                    # ヴェストラン地方ホルダラン県: a level word the parent's name was cut before
                    # gives its level
                    chain[-1] = chain[-1][:3] + (lex.place_levels[words[0]],) + chain[-1][4:]
                    words = words[1:]
                if all(w in ("、", "・", ",") or w in lex.place_parts for w in words):
                    link = "in"
                elif len(words) == 1 and words[0] in ("と", "や", "および", "及び"):
                    link = "and"
            if link is None:
                chain = [(start, end, key, level, "")]
                continue
            chain.append((start, end, key, level, link))
            child = chain[-1]
            # the parent: the nearest earlier member not coordinated with this one
            k = len(chain) - 2
            if link == "and":
                while k >= 0 and chain[k + 1][4] == "and":
                    k -= 1
            if k < 0:
                continue
            parent = chain[k]
            if parent[3] is None or (child[3] is not None and child[3] <= parent[3]) or (child[3] is None and parent[3] != 1):
                continue
            if child[3] is None and not (_subnational(s, Ref(child[2], child[1] - 1)) or _dotted_in_country(s, parent, child)):
                continue  # アメリカ、ヨーロッパ: an unknown place after a country must look subnational
            if rule.pattern.get("levels_required") and child[3] is None:
                continue
            x = Ref(parent[2], parent[1] - 1)
            z = Ref(child[2], child[1] - 1)
            if fits(s, x, rule.of) and x.key != z.key:
                emit(rule, z, x, None, (x.token, z.token))


def _dotted_in_country(s: Sentence, parent, child) -> bool:
    """オーストラリア・ニューキャッスル出身, ロシア・モスクワの: a place written right after a
    country with a middle dot is a place in it, whatever GiNZA labels it — unless the run is one
    longer name (a noun before the country or after the place in the same compound: 旧チェチェン・
    イングーシ自治共和国; an entity of the document named with the run: スイス・コテージ駅), the
    place is a country itself (Sudachi's tag or GiNZA's label: ロシア・ウクライナ), a world region
    or a natural feature."""
    doc, lex = s.doc, s.lex
    if doc[parent[1]:child[0]].text != "・" or not doc[parent[1] - 1].tag_.endswith("地名-国"):
        return False
    before, after = parent[0] - 1, child[1]
    if before >= s.span.start and s.bunsetu[before] == s.bunsetu[parent[0]] and doc[before].pos_ in ("NOUN", "PROPN"):
        return False
    if after < s.span.end and doc[after].pos_ in ("NOUN", "PROPN") and doc[after].text not in lex.adnominal_titles \
            and doc[after].text not in lex.place_parts and s.bunsetu[after] == s.bunsetu[child[1] - 1]:
        return False
    text, run = doc[child[0]:child[1]].text, doc[parent[0]:child[1]].text
    if any(run in name and name != run for e in s.entities.values() for name in (e.label, *e.names)):
        return False
    return doc[child[1] - 1].ent_type_ != "Country" and text not in lex.regions and not _natural(s, text)


# ---------------------------------------------------------------- entail

@matcher("entail")
def match_entailed(s: Sentence, rules: Sequence[Rule], emit: Emit) -> None:
    """A fact of a relation in ``from`` whose two sides fit the rule's slots gives the rule's
    relation on the same evidence (ブルックリン区はニューヨーク市にある: also a part of it). Reads
    the matches the other matchers made in this sentence (``s.matches``), so it runs after them."""
    for rule in rules:
        for src, a, b, pred, tokens, span in list(s.matches):
            if src.relation not in rule.entailed_from:
                continue
            subj, obj = (b, a) if src.direction == "of_to_holder" else (a, b)
            if subj.key == obj.key or not (fits(s, subj, rule.subject) and fits(s, obj, rule.object)):
                continue
            if rule.pattern.get("levels_consistent") and not _levels_consistent(s, obj, subj):
                continue  # サナーグ州のソマリア: not a part of it
            emit(rule, subj, obj, pred, tokens, span)


# ---------------------------------------------------------------- compose

def _sides(match) -> tuple[Ref, Ref]:
    """(subject, object) of a match made in this sentence."""
    rule, a, b = match[0], match[1], match[2]
    return (b, a) if rule.direction == "of_to_holder" else (a, b)


def _steps(s: Sentence, relations: frozenset[str], inverse: bool, skip=frozenset()) -> list[tuple[Ref, Ref, tuple]]:
    """The matches of ``relations`` in this sentence (but those of the rules ``skip``) as (from,
    to, match) steps."""
    out = []
    for m in s.matches:
        if m[0].relation in relations and m[0].id not in skip:
            subj, obj = _sides(m)
            out.append((obj, subj, m) if inverse else (subj, obj, m))
    return out


@matcher("compose")
def match_composed(s: Sentence, rules: Sequence[Rule], emit: Emit) -> None:
    """Two facts of one sentence sharing an entity give a third between their other sides: a
    step of a relation in ``first`` from the subject to a middle entity, then one in ``then`` from
    it to the object (``first_inverse`` / ``then_inverse``: the step runs from the fact's object to
    its subject). 『ユリシーズ』は、アイルランドの作家ジェイムズ・ジョイスの小説。: ユリシーズ
    ←creatorOf ジェイムズ・ジョイス →citizenOf アイルランド gives ユリシーズ countryOfOrigin
    アイルランド. Reads the matches made so far (``s.matches``), so it runs after entail."""
    for rule in rules:
        p = rule.pattern
        firsts = _steps(s, frozenset(p["first"]), bool(p.get("first_inverse")))
        thens = _steps(s, frozenset(p["then"]), bool(p.get("then_inverse")), frozenset(p.get("then_exclude", ())))
        for subj, mid, m1 in firsts:
            for mid2, obj, m2 in thens:
                if mid2.key != mid.key or len({subj.key, mid.key, obj.key}) < 3:
                    continue
                if not (fits(s, subj, rule.subject) and fits(s, obj, rule.object)):
                    continue
                tokens = tuple(sorted(set(m1[4]) | set(m2[4])))
                emit(rule, subj, obj, m1[3] if m1[3] is not None else m2[3], tokens)


# ---------------------------------------------------------------- closure (document)

# (the chunk's facts, the rules of the kind, the rule set, the chunk's sentences, the state the
# engine carries from chunk to chunk) -> new facts
DocumentMatcher = Callable[[Sequence[Fact], Sequence[Rule], object, Sequence[Sentence], dict], list[Fact]]
DOCUMENT_MATCHERS: dict[str, DocumentMatcher] = {}


def document_matcher(kind: str):
    """Register a function that applies the rules of ``kind`` to a chunk's facts at once."""

    def deco(fn: DocumentMatcher) -> DocumentMatcher:
        DOCUMENT_MATCHERS[kind] = fn
        return fn

    return deco


@document_matcher("closure")
def close_transitively(facts: Sequence[Fact], rules: Sequence[Rule], ruleset, sentences=(), state=None) -> list[Fact]:
    """A in B, B in C (asserted anywhere in the chunk) -> A in C. Chains within one sentence give
    plain facts; chains across sentences give inferred ones."""
    out: list[Fact] = []
    for rule in rules:
        over = set(rule.pattern.get("over", (rule.relation,)))
        edges: dict[str, dict[str, Fact]] = {}
        for f in facts:
            if f.relation in over and f.asserted:
                edges.setdefault(f.subject, {}).setdefault(f.object, f)
        have = {(f.subject, f.object) for f in facts if f.relation == rule.relation and f.asserted}
        fitting = _chunk_fits(rule, sentences)
        for a in sorted(edges):
            # breadth-first, remembering the facts the chain rests on
            frontier = [(b, (f,)) for b, f in sorted(edges[a].items())]
            seen = {a} | set(edges[a])
            if rule.relation not in over:
                # a single fact of another relation gives this one where its sides fit
                for b, f in sorted(edges[a].items()):
                    if (a, b) not in have and fitting(a, b):
                        have.add((a, b))
                        out.append(replace(f, relation=rule.relation, rule=rule.id, confidence=round(rule.confidence * (ruleset.inferred_factor if f.inferred else 1.0), 3)))
            while frontier:
                b, path = frontier.pop(0)
                for c, g in sorted(edges.get(b, {}).items()):
                    if c in seen:
                        continue
                    seen.add(c)
                    chain = path + (g,)
                    frontier.append((c, chain))
                    if (a, c) in have or not fitting(a, c):
                        continue
                    have.add((a, c))
                    across = len({x.sentence for x in chain}) > 1
                    conf = rule.confidence * (ruleset.inferred_factor if across else 1.0)
                    last = max(chain, key=lambda x: (x.sentence, x.end))
                    out.append(Fact(
                        subject=a, relation=rule.relation, object=c, sentence=last.sentence,
                        begin=min(x.begin for x in chain if x.sentence == last.sentence),
                        end=max(x.end for x in chain if x.sentence == last.sentence),
                        rule=rule.id, confidence=round(conf, 3), inferred=across or any(x.inferred for x in chain),
                    ))
    return out


def _chunk_fits(rule: Rule, sentences: Sequence[Sentence]) -> Callable[[str, str], bool]:
    """Whether a closure rule's ``subject`` and ``object`` slots fit two entities of the chunk
    (each at one of its mentions; always, for a rule without slots)."""
    if "subject" not in rule.pattern and "object" not in rule.pattern:
        return lambda _a, _c: True
    refs: dict[str, list[tuple[Sentence, Ref]]] = {}
    for s in sentences:
        for start, end, key in s.mentions:
            refs.setdefault(key, []).append((s, Ref(key, _head_of(s, start, end))))

    def fit(key: str, slot: Slot) -> bool:
        spots = refs.get(key, ())
        if (slot.admin or not slot.natural) and any(_natural(s, _ref_text(s, r)) for s, r in spots):
            return False  # アメリカ滝, also written アメリカ: a natural feature by any of its names
        if not slot.water and any(_water(s, _ref_text(s, r)) for s, r in spots):
            return False  # ワール川(ワールがわ): a body of water by any of its names
        return any(fits(s, r, slot) for s, r in spots)

    def levels(key: str, ner: bool) -> set[int | None]:
        return {_name_level(s, r, ner) for s, r in refs.get(key, ())}

    def fitting(a: str, c: str) -> bool:
        if not (fit(a, rule.subject) and fit(c, rule.object)):
            return False
        # a country is in no place of known level (as in _levels_consistent)
        return not (rule.pattern.get("levels_consistent") and 1 in levels(a, False) and levels(c, True) - {None})

    return fitting


# ---------------------------------------------------------------- lead (document defaults)

def _known_elsewhere(s: Sentence, key: str, country: str) -> bool:
    """ontologies/places.tsv knows the place ``key`` and the country ``country`` by their names,
    and puts the place in other countries only."""
    place, target = s.entities.get(key), s.entities.get(country)
    if place is None or target is None:
        return False
    table = lexicon.places()
    where, of = table.get(lexicon.nfkc(place.label)), table.get(lexicon.nfkc(target.label))
    return bool(where and of) and not where & of


def _chunk_mentions(sentences: Sequence[Sentence]) -> list[tuple[Sentence, int, int, Ref]]:
    """Every mention of the chunk as (sentence, start token, end token, its entity)."""
    return [(s, m[0], m[1], _mention_ref(s, m)) for s in sentences for m in s.mentions]


def _inferred_at(rule: Rule, ruleset, s: Sentence, start: int, end: int, subject: str, obj: str) -> Fact:
    """An inferred fact of ``rule`` (document knowledge, not the words of one sentence), cited at
    the mention of ``subject`` from token ``start`` to ``end`` of sentence ``s``."""
    return Fact(
        subject=subject, relation=rule.relation, object=obj, sentence=s.index,
        begin=s.offset + s.doc[start].idx, end=s.offset + s.doc[end - 1].idx + len(s.doc[end - 1].text), rule=rule.id,
        confidence=round(rule.confidence * ruleset.inferred_factor, 3), inferred=True,
    )


@document_matcher("lead")
def carry_lead_defaults(facts: Sequence[Fact], rules: Sequence[Rule], ruleset, sentences: Sequence[Sentence], state: dict) -> list[Fact]:
    """The lead entity (``state['lead']``: the は-topic of the document's first sentence) has a
    fact of a relation in ``from`` to exactly one object fitting the rule's ``object`` slot: every
    other entity fitting ``subject`` (no country: none is put in a country) with no such fact to
    another object fitting ``object`` gets the rule's relation to that object, inferred, at its
    first mention. The object found is kept in ``state`` for later chunks."""
    lead = state.get("lead")
    if lead is None:
        return []
    mentions = _chunk_mentions(sentences)
    found = state.setdefault("lead_objects", {})
    done = state.setdefault("lead_done", set())
    # countries by Sudachi's tag or their suffix (GiNZA labels cities Country too: グラナダ)
    countries = {r.key for s, a, b, r in mentions if place_level(s, a, b, s.doc[a:b].text, ner=False) == 1}
    out: list[Fact] = []
    for rule in rules:
        objects: dict[str, set[str]] = {}
        for f in facts:
            if f.relation in rule.entailed_from and f.asserted:
                objects.setdefault(f.subject, set()).add(f.object)
        fitting = {r.key for s, _a, _b, r in mentions if fits(s, r, rule.object)}
        if rule.id not in found:
            candidates = objects.get(lead, set()) & fitting
            if not any(r.key == lead and fits(s, r, rule.slot("lead")) for s, _a, _b, r in mentions):
                continue  # the lead is no entity of this chunk or not of the lead slot
            if not candidates:
                continue  # the lead's fact may come in a later chunk
            found[rule.id] = candidates.pop() if len(candidates) == 1 else None
        target = found[rule.id]
        if target is None:
            continue
        for s, a, b, r in mentions:
            key = r.key
            if key in (lead, target) or (rule.id, key) in done or target in objects.get(key, ()):
                continue
            if key in countries or objects.get(key, set()) & (fitting - {target}) or not fits(s, r, rule.subject):
                continue
            if _known_elsewhere(s, key, target):
                continue  # 広島市 in an article about an American: GeoNames puts it in another country
            done.add((rule.id, key))
            out.append(_inferred_at(rule, ruleset, s, a, b, key, target))
    return out


# ---------------------------------------------------------------- known places (world knowledge)

@document_matcher("known_place")
def place_in_named_country(facts: Sequence[Fact], rules: Sequence[Rule], ruleset, sentences: Sequence[Sentence], state: dict) -> list[Fact]:
    """A place that ontologies/places.tsv knows by one of its names (a GeoNames city), or, knowing
    none whole, by the longest start of one that names no country (ブエノスアイレス州:
    ブエノスアイレス), to lie in exactly one of the countries the chunk names lies in that country
    (every entity naming it), inferred, cited at the place's first mention: an article that names
    ハンブルク and ドイツ in different sentences puts the one in the other. A place a fact already
    puts in another country named in the chunk is left alone."""
    where, country_names = lexicon.places(), lexicon.country_names()
    mentions = [(s, a, b, r, lexicon.nfkc(s.doc[a:b].text)) for s, a, b, r in _chunk_mentions(sentences)]
    naming: dict[str, set[str]] = {}  # country -> the entities naming it
    for _s, _a, _b, r, text in mentions:
        if text in country_names:
            naming.setdefault(min(where[text]), set()).add(r.key)
    if not naming:
        return []
    country_keys = {k for keys in naming.values() for k in keys}
    out: list[Fact] = []
    for rule in rules:
        placed: dict[str, set[str]] = {}
        for f in facts:
            if f.relation in rule.entailed_from and f.asserted and f.object in country_keys:
                placed.setdefault(f.subject, set()).add(f.object)
        whole: dict[str, set[str]] = {}
        by_start: dict[str, set[str]] = {}
        first: dict[str, tuple] = {}
        for s, a, b, r, text in mentions:
            if r.key in country_keys or not fits(s, r, rule.subject):
                continue
            first.setdefault(r.key, (s, a, b))
            whole.setdefault(r.key, set()).update(where.get(text, ()))
            start = lexicon.known_start(text)
            if start is not None and start not in country_names:
                by_start.setdefault(r.key, set()).update(where[start])
        for key in sorted(first):
            inside = (whole[key] or by_start.get(key, set())) & set(naming)
            if len(inside) != 1:
                continue
            targets = naming[next(iter(inside))]
            if placed.get(key, set()) - targets:
                continue  # a fact puts it in another country of the chunk
            s, a, b = first[key]
            for target in sorted(targets - placed.get(key, set())):
                out.append(_inferred_at(rule, ruleset, s, a, b, key, target))
    return out
