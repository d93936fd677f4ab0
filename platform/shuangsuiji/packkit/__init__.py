"""The plugin developer kit: the conformance checks, the rule diff, and the pack scaffold.

Public API (also what ``ssj pack check|diff|new`` and the web UI call):

- :func:`check_pack` (pack, registry) → list of :class:`Problem`
- :func:`diff_rules` (RuleSet, RuleSet) → list of :class:`RuleDifference`
- :func:`scaffold` (name, directory) → the files of a new pack project
"""

from shuangsuiji.packkit.conformance import CHECK_NAMES, CHECKS, Problem, check_pack, run_checks

__all__ = ["CHECKS", "CHECK_NAMES", "Problem", "check_pack", "run_checks"]
