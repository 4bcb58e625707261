"""Shared matching helpers for the knowledge-table matchers (markets, actors, temporal scanner)."""
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


def by_next(key: str, names: list[str]) -> dict:
    """The names that start with ``key`` (longest first), by the two characters after it ("China Mobile" under
    " M"); names too short for that are in every list and in the one under None (any other two characters)."""
    names = [v for v in names if v.startswith(key)]
    short = [len(v) < len(key) + 2 for v in names]
    out = {None: [v for v, sh in zip(names, short) if sh]}
    for two in {v[len(key):len(key) + 2] for v, sh in zip(names, short) if not sh}:
        out[two] = [v for v, sh in zip(names, short) if sh or v[len(key):len(key) + 2] == two]
    return out


def occurrences(text: str, word: str, left: str = "_&", right: str = "_&"):
    """Offsets of ``word`` in ``text`` as a whole word: no letter, digit or character of ``left`` right before
    it, none of ``right`` right after. A plain substring search: for the few names with a lower-case
    initial ("eBay", "eurozone"), which in a trie regex would make the scan try every word of the text."""
    i = text.find(word)
    while i >= 0:
        j = i + len(word)
        if (not i or not (text[i - 1].isalnum() or text[i - 1] in left)) and \
                (j >= len(text) or not (text[j].isalnum() or text[j] in right)):
            yield i
        i = text.find(word, j)


def leftmost_longest(matches) -> list[tuple[int, int, str]]:
    """``(start, end, text)`` matches without overlaps: at each place the longest, earlier ones first."""
    out: list[tuple[int, int, str]] = []
    for m in sorted(matches, key=lambda x: (x[0], -x[1])):
        if not out or m[0] >= out[-1][1]:
            out.append(m)
    return out
