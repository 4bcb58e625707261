"""Tense / direction of the clause around an expression (context.toml [cues]).

The cue nearest to the expression (in words, within its clause; a quotation is a clause of its own: the
reporting verb after it, "he added", is no cue for what it says) decides: a future cue ("will",
"is due to", "to start", "plans to") -> the coming reading, a past one ("said", "was", -ed forms)
-> the last reading; "will be held"-style auxiliaries turn a past form into a future cue."""
from __future__ import annotations

import re

from .tables import K

_BOUND_RE = re.compile(r"[!?;\n\"“”]|\.\s{1,3}(?=[A-Z\"“])")


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
_AUX = frozenset(K["cues"]["aux"])
_NOT_PAST = frozenset(K["cues"]["not_past"])
_AUX_SKIP = frozenset(K["cues"]["aux_skip"])
_SUFFIX = K["cues"]["past_suffix"]
# a capitalised word with the past suffix inside a sentence (after a word or a comma) is a name: "Ahmed"
_NAME_ED_RE = re.compile(r"(?<=[A-Za-z,;)] )[A-Z][a-z]{2,}%s\b" % re.escape(_SUFFIX))
_ED_ADJ = frozenset(K["cues"]["ed_adjective_after"])
_ED_ADV = frozenset(K["cues"]["ed_adjective_adverbs"])
_PRESENT_PASSIVE = frozenset(K["cues"]["present_passive"])
_PASSIVE_PLAN = frozenset(K["cues"]["present_passive_plan"])
_PLAN_NOT_BEFORE = frozenset(K["cues"]["plan_not_before"])
_HEARSAY = frozenset(K["cues"]["plan_hearsay"])
_PASSIVE_AUX = frozenset(K["cues"]["passive_plan_aux"])
_FUT_PAST = frozenset(K["cues"]["future_made_past"])
_ADVERB_CUES = frozenset(K["cues"]["adverbs"])
_PLAN_SKIP = frozenset(K["cues"]["plan_skip"])
_LEFT_ONLY = frozenset(K["cues"]["left_only"])
_PERFECT_AUX = frozenset(K["cues"]["perfect_aux"])
_UN_VERBS = frozenset(K["cues"]["un_verbs"])
_ADJ_PREFIX, _ADJ_PREFIX_NOT = K["cues"]["adjective_prefix"], tuple(K["cues"]["adjective_prefix_not"])
_SEQUENCE_BY = frozenset(K["cues"]["sequence_by"])


def _adjective_ed(words: list[str], i: int) -> bool:
    """Is the -ed word words[i] an adjective or a sequence link rather than a past tense? ("the reduced
    dividend", "a still unspecified date", "unchanged", "in January, followed by Basra")"""
    w = words[i]
    if w.startswith(_ADJ_PREFIX) and not w.startswith(_ADJ_PREFIX_NOT) and w not in _UN_VERBS:
        return True
    if w in _SEQUENCE_BY and words[i + 1:i + 2] == ["by"]:
        return True
    return i >= 1 and (words[i - 1] in _ED_ADJ or ((words[i - 1] in _ED_ADV or words[i - 1].endswith("ly"))
                                                    and i >= 2 and words[i - 2] in _ED_ADJ))


def _participle(w: str) -> bool:
    return w.endswith(_SUFFIX) or w.endswith("en") or w in _PAST1 or w in _AUX_SKIP


def _had_before(words: list[str], i: int) -> bool:
    """Is the cue ending at words[i] (n words long) preceded by "had (been)"?"""
    j = i - 1
    while j >= 0 and i - j <= 4 and words[j] in _PLAN_SKIP:
        j -= 1
    return j >= 0 and i - j <= 4 and words[j] in _FUT_PAST


# the words _cue_kind may find a cue at, with the words holding "'" and the -ed forms longer than 4:
# it is tried only on those (most words are none of them)
_CUE_WORDS = frozenset(_FUTM) | frozenset(_PASTM) | _FUT1 | _PAST1


def _cue_kind(words: list[str], i: int) -> str | None:
    w = words[i]
    for tbl1, tblm, kind in ((_FUT1, _FUTM, "future"), (_PAST1, _PASTM, "past")):
        for pre in tblm.get(w, ()):
            n = len(pre)
            if i >= n and words[i - n:i] == pre:
                if kind == "future" and _had_before(words, i - n):
                    return "past"
                return kind
    if w in _FUT1 or ("'" in w and w[w.index("'"):] in _FUT1):
        return "past" if _had_before(words, i) else "future"
    past = w in _PAST1
    if past and w in _PERFECT_AUX and i + 1 < len(words) and not _participle(words[i + 1]):
        past = False  # "have until Thursday", "has a meeting": a verb of its own, not a perfect
    if not past and len(w) > 4 and w.endswith(_SUFFIX) and w not in _NOT_PAST:
        past = not _adjective_ed(words, i)
    if not past:
        return None
    # "will be held", "would have said", "to be released": future
    j = i - 1
    while j >= 0 and i - j <= 4 and words[j] in _AUX_SKIP:
        j -= 1
    if j >= 0 and i - j <= 4 and words[j] in _AUX:
        return "future"
    if i >= 1 and words[i - 1] in _PRESENT_PASSIVE and w not in _ADVERB_CUES:
        # "when the case is heard in May": a present passive, no tense cue; "is sentenced to die": a plan
        plan = words[i + 1:i + 2] and words[i + 1] in _PASSIVE_PLAN and words[i + 2:i + 3] \
            and words[i + 2] not in _PLAN_NOT_BEFORE and w not in _HEARSAY and words[i - 1] in _PASSIVE_AUX
        return "future" if plan else None
    return "past"


def tense_cue(text: str, start: int, end: int) -> tuple[str | None, int]:
    """(direction, distance in words) of the tense cue nearest to text[start:end] in its clause:
    'future' | 'past' | None.  Strong cues (context.toml [cues]) and -ed forms count alike;
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
    left, right = text[lo:start].replace("’", "'"), text[end:hi].replace("’", "'")
    # an -ed word written with a capital is a name ("Ahmed", "Mohammed"), not a past tense
    names = {w.lower() for w in _NAME_ED_RE.findall(left + " " + right)} if _SUFFIX in left or _SUFFIX in right else ()
    L, R = _WORD_RE.findall(left.lower()), _WORD_RE.findall(right.lower())
    comma = right.find(",")
    # a cue past a comma after the expression counts three words farther: "talks that are to conclude by May,
    # invited Sinn Fein" (the distance returned, which bounds how far a cue may pull, stays the real one)
    far = len(_WORD_RE.findall(right[:comma])) if comma >= 0 else len(R)
    nl = len(L)
    # nearest first, the left word before the right one at the same distance
    cue, sfx = _CUE_WORDS, _SUFFIX
    tries = [(nl - 1 - i, 0, i) for i, w in enumerate(L)
             if w in cue or "'" in w or len(w) > 4 and w.endswith(sfx) and w not in names]
    tries += [(i + 3 * (i >= far), 1, i) for i, w in enumerate(R)
              if (w in cue and w not in _LEFT_ONLY) or "'" in w or len(w) > 4 and w.endswith(sfx) and w not in names]
    tries.sort()
    for _, side, i in tries:
        kind = _cue_kind(R if side else L, i)
        if kind:
            return kind, i if side else nl - 1 - i
    return None, 99


def tense(text: str, start: int, end: int) -> str | None:
    return tense_cue(text, start, end)[0]


def limit(dist: int) -> int:
    """How far (days) from the DCT a tense cue may pull a reading: a cue right next to the
    expression ("rose in March") is trusted up to a year, a distant one only ~8 months."""
    return 330 if dist <= 3 else 240
