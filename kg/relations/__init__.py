"""Relations stage: rule-based extraction of typed facts from GiNZA parses.

``extract`` runs the rule set over one parsed chunk; ``load_rules`` reads the built-in rules
(kg/relations/rules/*.yaml) plus any user rule files.
"""

from .engine import MATCHERS, extract
from .rules import Rule, RuleSet, load_rules

__all__ = ["MATCHERS", "Rule", "RuleSet", "extract", "load_rules"]
