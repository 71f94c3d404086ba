"""Relations stage: rule-based extraction of typed facts from GiNZA parses.

``extract`` runs the rule set over one parsed chunk, ``extract_across`` across the sentences of a whole document; ``load_rules`` reads the built-in rules
(kg/relations/rules/*.yaml) plus any user rule files; ``MATCHERS`` maps each rule kind to the
function that applies it (add a kind with ``@matcher("name")``).
"""

from .engine import extract, extract_across
from .matchers import MATCHERS, matcher
from .rules import Rule, RuleSet, load_rules

__all__ = ["MATCHERS", "Rule", "RuleSet", "extract", "extract_across", "load_rules", "matcher"]
