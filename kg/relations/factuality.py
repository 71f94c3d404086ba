"""Factuality and attribution of a predicate: is it negated, hedged, conditional or
counterfactual, and who says so.

The cues are data (rules/factuality.yaml). A predicate's own ending is read first (加わらなかった,
加わるだろう, 加わるかもしれない, 加わる予定だ); then what it is embedded in: a clause that is the
と-complement of a hedging verb (…と考えられている), the relative clause of a modality noun
(加わる可能性), a conditional clause (…なければ, …としても), or the complement of a reporting verb
that is itself hedged or negated passes its qualification down. A reason clause (…ため) keeps
its own factuality.
"""

from __future__ import annotations

from .syntax import SUBJECT, Sentence

_MAX_UP = 6


def tail(s: Sentence, pred) -> list:
    """The function words after a predicate in its bunsetsu (し, た, ない, だろう...)."""
    doc, b = s.doc, s.bunsetu
    out = []
    j = pred.i + 1
    while j < len(doc) and b[j] == b[pred.i] and doc[j].pos_ not in ("PUNCT",):
        out.append(doc[j])
        j += 1
    return out


def _after(s: Sentence, pred, n_bunsetsu: int = 2) -> str:
    """Surface text from the end of the predicate's bunsetsu through the next bunsetsu(s) that
    are auxiliary (かもしれない, ように見える, 可能性がある)."""
    doc, b = s.doc, s.bunsetu
    j = pred.i + 1
    while j < len(doc) and b[j] == b[pred.i]:
        j += 1
    start = j
    seen = 0
    while j < len(doc) and seen < n_bunsetsu:
        k = j
        while k < len(doc) and b[k] == b[j]:
            k += 1
        head = doc[j]
        if head.pos_ in ("PUNCT",):
            break
        seen += 1
        j = k
    return doc[start:j].text if j > start else ""


def own(s: Sentence, pred) -> tuple[bool, str | None]:
    """Negation and modality read off the predicate's own ending."""
    f = s.ruleset.factuality
    t = tail(s, pred)
    tail_text = "".join(x.text for x in t)
    text = tail_text + _after(s, pred)
    modality, cue_at = None, None
    for cue, value in _cues(f.modality):
        pos = text.find(cue)
        if pos >= 0 and pos <= len(tail_text) + 1:
            modality, cue_at = value, (pos, pos + len(cue))
            break
    negated = (pred.lemma_ in ("ない", "無い") and pred.pos_ == "ADJ")
    offset = 0
    for x in t:
        inside_cue = cue_at is not None and cue_at[0] <= offset < cue_at[1]
        if x.lemma_ in f.negation and x.pos_ == "AUX" and not inside_cue:
            negated = True  # かもしれない is a modality, not a negation
        offset += len(x.text)
    if modality is None and any(x.text in f.conditional or x.lemma_ in f.conditional for x in t if x.pos_ in ("SCONJ", "ADP", "AUX", "NOUN")):
        modality = "conditional"
    return negated, modality


def _cues(d: dict):
    return sorted(d.items(), key=lambda kv: -len(kv[0]))


def factuality(s: Sentence, pred) -> tuple[bool, str | None]:
    """(negated, modality) of ``pred``, including what it inherits from the clauses above it."""
    key = pred.i
    cache = s._factuality
    if key in cache:
        return cache[key]
    f = s.ruleset.factuality
    negated, modality = own(s, pred)
    node, hops = pred, 0
    while modality is None and hops < _MAX_UP:
        gov = s.governor(node)
        if gov is None:
            break
        head, link = gov
        if link == "relative":
            if head.lemma_ in f.modality_nouns:
                modality = f.modality_nouns[head.lemma_]
            break  # a relative clause keeps its own factuality otherwise
        if link == "other" or (link == "chain" and _asserted_on_its_own(s, node)):
            break
        h_neg, h_mod = own(s, head)
        if link == "argument":
            # 出資を中止する / 買収を検討する: the verb over an event noun decides whether it happens
            if head.lemma_ in f.cancel_verbs or h_neg:
                negated = True
                break
            if head.lemma_ in f.plan_verbs:
                modality = "planned"
                break
            if h_mod is not None:
                modality = h_mod
                break
            node = head
            hops += 1
            continue
        if link in ("complement", "nominal"):
            if link == "complement" and head.lemma_ in f.hedging_verbs and (s.voice(head) == "passive" or not _has_speaker(s, head)):
                modality = f.hedging_verbs[head.lemma_]
                break
            if h_mod is not None:
                modality = h_mod
                break
            if h_neg and head.lemma_ in f.reporting_verbs:
                negated = True
                break
        elif h_mod is not None and h_mod != "conditional":
            modality = h_mod  # …し、…するだろう: a chain of clauses shares the ending's modality
            break
        node = head
        hops += 1
    if modality == "conditional":
        modality = _counterfactual(s, pred) or modality
    elif modality == "speculative" and negated and _has_condition(s, pred):
        modality = "counterfactual"
    cache[key] = (negated, modality)
    return negated, modality


def _asserted_on_its_own(s: Sentence, node) -> bool:
    """…ため, …ので, …後, …にもかかわらず: a subordinate clause asserted in its own right."""
    links = s.ruleset.factuality.asserting_links
    text = s.tail_text(node)
    return any(text.endswith(a) for a in links)


def _has_speaker(s: Sentence, verb) -> bool:
    return s.source is not None or any(c.dep_ in ("nsubj", "obl") and s.particle(c) in SUBJECT and s.refs(c) for c in verb.children)


def _counterfactual(s: Sentence, pred) -> str | None:
    """なければ…なかっただろう: the condition of a negated, speculated consequence."""
    gov = s.governor(pred)
    hops = 0
    while gov is not None and hops < 3:
        head = gov[0]
        neg, mod = own(s, head)
        if mod == "speculative" and neg:
            return "counterfactual"
        gov = s.governor(head)
        hops += 1
    return None


def _has_condition(s: Sentence, pred) -> bool:
    """A negated, speculated main clause with a conditional clause below it."""
    return any(own(s, c)[1] == "conditional" for c in pred.subtree if c.i < pred.i and c.pos_ in ("VERB", "ADJ", "AUX", "NOUN"))


def attribution(s: Sentence, pred) -> str | None:
    """The speaker when the predicate is the complement of a reporting verb (…と発表した,
    …ことを明らかにした), or the sentence's によると source."""
    f = s.ruleset.factuality
    node, hops = pred, 0
    while hops < _MAX_UP:
        gov = s.governor(node)
        if gov is None or gov[1] in ("relative", "other"):
            break
        head, link = gov
        if link in ("complement", "nominal") and (head.lemma_ in f.reporting_verbs or head.text in f.reporting_verbs):
            sub = s.subject(head)
            if sub is not None and not any(r.inferred for r in sub.refs):
                return sub.refs[0].key
            break
        node = head
        hops += 1
    return s.source


def sentence_source(s: Sentence) -> str | None:
    """X によると / X によれば: the sentence is attributed to X."""
    markers = s.ruleset.factuality.source_markers
    text = s.span.text
    if not any(m in text for m in markers):
        return None
    for tok in s.span:
        p = s.particle(tok)
        if p and any(p.startswith(m) for m in markers):
            refs = s.refs(tok)
            if refs:
                return refs[0].key
    return None
