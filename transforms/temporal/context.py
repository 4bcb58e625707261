"""Tense / direction of the clause around an expression (resources.toml [cues]).

The cue nearest to the expression (in words, within its clause) decides: a future cue ("will",
"is due to", "to start", "plans to") -> the coming reading, a past one ("said", "was", -ed forms)
-> the last reading; "will be held"-style auxiliaries turn a past form into a future cue."""
from __future__ import annotations

import re

from .tables import K

_BOUND_RE = re.compile(r"[!?;\n]|\.\s{1,3}(?=[A-Z\"“])")


_WORD_RE = re.compile(r"[A-Za-z]+(?:['’][a-z]{1,2})?")


def _cue_table(words):
    one, multi = set(), {}
    for c in words:
        c = c.lower().replace("’", "'")
        parts = c.split()
        if c.startswith("'"):
            one.add(c)
        elif len(parts) == 1:
            one.add(c)
        else:
            multi.setdefault(parts[-1], []).append(parts[:-1])
    return one, multi


_FUT1, _FUTM = _cue_table(K["cues"]["future"])
_PAST1, _PASTM = _cue_table(K["cues"]["past"])
_AUX = frozenset(("will", "would", "'ll", "shall", "to", "must", "should", "could", "can", "may", "might"))
_NOT_PAST = frozenset(K["cues"]["not_past"])
_AUX_SKIP = frozenset(("be", "not", "have", "been", "still", "also", "never", "then", "now", "likely", "probably", "only",
                       "just", "soon", "again", "first", "finally", "officially", "formally"))
_SUFFIX = K["cues"]["past_suffix"]


def _cue_kind(words: list[str], i: int) -> str | None:
    w = words[i]
    for tbl1, tblm, kind in ((_FUT1, _FUTM, "future"), (_PAST1, _PASTM, "past")):
        for pre in tblm.get(w, ()):
            n = len(pre)
            if i >= n and words[i - n:i] == pre:
                return kind
    if w in _FUT1 or ("'" in w and w[w.index("'"):] in _FUT1):
        return "future"
    past = w in _PAST1 or (len(w) > 4 and w.endswith(_SUFFIX) and w not in _NOT_PAST)
    if not past:
        return None
    # "will be held", "would have said", "to be released": future
    j = i - 1
    while j >= 0 and i - j <= 4 and words[j] in _AUX_SKIP:
        j -= 1
    if j >= 0 and i - j <= 4 and words[j] in _AUX:
        return "future"
    return "past"


def tense_cue(text: str, start: int, end: int) -> tuple[str | None, int]:
    """(direction, distance in words) of the tense cue nearest to text[start:end] in its clause:
    'future' | 'past' | None.  Strong cues (resources.toml [cues]) and -ed forms count alike;
    "will be held"-style auxiliaries turn a past form into a future cue."""
    lo = max(0, start - 120)
    hi = min(len(text), end + 80)
    b = None
    for b in _BOUND_RE.finditer(text, lo, start):
        pass
    if b is not None:
        lo = b.end()
    m = _BOUND_RE.search(text, end, hi)
    if m:
        hi = m.start()
    L = _WORD_RE.findall(text[lo:start].lower().replace("’", "'"))
    R = _WORD_RE.findall(text[end:hi].lower().replace("’", "'"))
    nl, nr = len(L), len(R)
    for k in range(max(nl, nr)):
        if k < nl:
            kind = _cue_kind(L, nl - 1 - k)
            if kind:
                return kind, k
        if k < nr:
            kind = _cue_kind(R, k)
            if kind:
                return kind, k
    return None, 99


def tense(text: str, start: int, end: int) -> str | None:
    return tense_cue(text, start, end)[0]


def _limit(dist: int) -> int:
    """How far (days) from the DCT a tense cue may pull a reading: a cue right next to the
    expression ("rose in March") is trusted up to a year, a distant one only ~6 months."""
    return 330 if dist <= 3 else 200
