"""kg's entity and relation stages as spaCy pipeline components, for people who live in spaCy.

    import spacy
    nlp = spacy.load("ja_ginza")
    nlp.add_pipe("kg_entities")
    nlp.add_pipe("kg_relations")            # config={"rules": ["my-rules.yaml"]} adds rule files,
                                            # config={"learned": False} leaves out the pair classifier
    doc = nlp("マイクロソフトの会長兼CEOであるサティア・ナデラ氏は発表した。")
    doc._.kg_entities   # (Entity, ...): typed, resolved entities of the doc
    doc._.kg_mentions   # (Mention, ...): their mentions, character offsets into doc.text
    doc._.kg_facts      # (Fact, ...): relation occurrences, with negation, modality, attribution

The components call the same stages as ``kg build`` (mentions.detect, entities.resolve_document,
relations.extract) on the whole Doc, and set plain records of kg/model.py on Doc extensions.
They are registered with spaCy under the names above when this module is imported, and through
the ``spacy_factories`` entry point of the package, so ``nlp.add_pipe("kg_relations")`` works
once kg is installed.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from . import entities as entities_stage
from . import mentions as mentions_stage
from . import relations as relations_stage
from .errors import KGError

for _name in ("kg_entities", "kg_mentions", "kg_facts"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class EntitiesComponent:
    """Finds mentions and resolves them into entities: sets ``doc._.kg_mentions`` and
    ``doc._.kg_entities``."""

    def __call__(self, doc: Doc) -> Doc:
        candidates = mentions_stage.detect(doc, 0, 0)
        mentions, entities = entities_stage.resolve_document(candidates)
        doc._.kg_mentions = tuple(mentions)
        doc._.kg_entities = tuple(entities)
        return doc


class RelationsComponent:
    """Extracts facts between the entities ``kg_entities`` found: sets ``doc._.kg_facts``."""

    def __init__(self, rules: list[str] | tuple[str, ...] = (), learned: bool = True) -> None:
        self.ruleset = relations_stage.load_rules(tuple(str(r) for r in rules), learned)

    def __call__(self, doc: Doc) -> Doc:
        if doc._.kg_entities is None or doc._.kg_mentions is None:
            raise KGError('kg_relations needs the entities of the doc: add nlp.add_pipe("kg_entities") before it')
        by_key = {e.key: e for e in doc._.kg_entities}
        state: dict = {}
        facts = relations_stage.extract(doc, 0, 0, doc._.kg_mentions, by_key, self.ruleset, state)
        doc._.kg_facts = tuple(facts + relations_stage.extract_across(facts, by_key, self.ruleset, state))
        return doc


@Language.factory("kg_entities")
def make_entities(nlp: Language, name: str) -> EntitiesComponent:
    return EntitiesComponent()


@Language.factory("kg_relations", default_config={"rules": [], "learned": True})
def make_relations(nlp: Language, name: str, rules: list[str], learned: bool) -> RelationsComponent:
    return RelationsComponent(rules, learned)
