"""The scanner's index of rule beginnings (transforms/temporal/prefix.py) only leaves out rules that
cannot match: at every position the first rule that matches is the same as when all are tried."""
from __future__ import annotations

from transforms.temporal import prefix, scanner

TEXTS = [
    "On Tuesday, March 3-5, 1999, the company said its third-quarter profit rose 12% from a year earlier.",
    "The 1990s were calm; two days later, at 10:30 a.m. EST, about 20 years ago, in the spring of 2001.",
    "Between 1354 and 1345 B.C. the year 650, every Monday, 2008-11-27T10:00Z, 11/27/08 or 20081127.",
    "Last week's meeting ended the first week of October; the past five years, nineteen ninety-six.",
    "  ٣ days ago  the\u2009year 2003\u00a0and\tQ3 FY2004, mid-1990s, 5 o’clock in the morning, the 80s.",
]


def test_filtered_rules_find_the_first_match_of_all_rules():
    scanner.warm_up()
    trie, full = scanner._prefix_state[0]
    for text in TEXTS:
        low = text.lower()
        for p in range(len(low)):
            first = next((i for i, m in enumerate(full) if m(low, p)), None)
            found = prefix.candidates(trie, "".join(map(prefix.char_class, low[p:p + prefix.DEPTH])))
            assert first is None or first in found, (text[p:p + 20], scanner._kinds[first])


def test_beginnings_widen_what_they_do_not_follow():
    assert prefix.beginnings(r"(?i:abc)") is None
    seqs = prefix.beginnings(r"(?<![\w])ab\s{1,2}\d")
    assert ((frozenset("a"), frozenset("b"), frozenset(" "), frozenset("D")), False) in seqs
    assert all(len(s) <= prefix.DEPTH for s, _ in prefix.beginnings(r"x{20}"))
