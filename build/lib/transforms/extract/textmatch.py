"""Shared matching helper for the knowledge-table matchers (markets, temporal scanner)."""
from __future__ import annotations

import re


def trie_regex(words) -> str:
    """A prefix-factored alternation of literal words: one branch per first letter, so a scan over a
    large word list costs about as much as over a short one and never backtracks across words."""
    root: dict = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node) -> str:
        alts = [re.escape(k) + emit(v) for k, v in sorted(node.items()) if k]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)
