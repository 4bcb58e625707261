"""The scanner: the rules of rules.toml, tried only at positions where a timex can begin (numbers,
standalone table words, chains of table words), and there only the rules whose first character and
beginning (prefix.py: the first few characters, as classes) fit the text.

Leftmost-first, non-overlapping: at a position the first rule (in table order) that matches wins
and the scan resumes after it, so candidates come out sorted and never overlap - no pairwise
overlap resolution.  Every pattern is bounded (\\d{1,4}, \\s{1,3}, no nested quantifiers), so the
cost per position is bounded and a document is scanned in linear time."""
from __future__ import annotations

import re
from itertools import chain as _then

from transforms.extract.textmatch import trie_regex

from .prefix import CLASS_TABLE, DEPTH, build_trie, candidates, char_class
from .tables import APPROX, CENTWORDS, DECWORDS, FIXED, HOLIDAYS, K, MODIFIERS, MONTHS, NUMBERS, ORDINALS, PLACEHOLDERS, PODS, SEASONS, SETADV, UNITS, VAGUE, WEEKDAYS

def _lower_pattern(p: str) -> str:
    """Lower-case the literals of a regex (escapes such as \\S, \\W, \\B and group syntax are kept):
    the scanners run on the lower-cased text without re.IGNORECASE, which is ~2x faster; the
    normalisers read the matched groups from the original text, so capitalisation checks still work."""
    out = []
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\" and i + 1 < n:
            out.append(p[i:i + 2])
            i += 2
        elif p.startswith("(?P<", i) or p.startswith("(?P=", i):
            j = p.index(">" if p[i + 3] == "<" else ")", i)
            out.append(p[i:j + 1])  # group names keep their case
            i = j + 1
        else:
            out.append(c.lower())
            i += 1
    return "".join(out)


RULES = K["rule"]
_group_maps: list[list[tuple[str, str]]] = []
_kinds: list[str] = []
_parts = []
for _i, _r in enumerate(RULES):
    _p = _lower_pattern(re.sub(r"\{([A-Z]+)\}", lambda m: PLACEHOLDERS[m.group(1)], _r["pattern"]))
    _names = re.findall(r"\(\?P<(\w+)>", _p)
    _p = re.sub(r"\(\?P<(\w+)>", lambda m: f"(?P<{m.group(1)}_{_i}>", _p)
    _p = re.sub(r"\(\?P=(\w+)\)", lambda m: f"(?P={m.group(1)}_{_i})", _p)
    _parts.append(f"(?P<r_{_i}>{_p})")
    _group_maps.append([(f"{n}_{_i}", n) for n in _names])
    _kinds.append(_r["kind"])


def _first_chars(pattern: str) -> frozenset[str] | None:
    """The lower-cased characters a match of `pattern` can begin with (None: any character),
    computed from the parsed regex; used to try at a position only the rules that can start there."""
    from re import _constants as C, _parser as P

    def seq(items):
        out: set[str] = set()
        for op, av in items:
            f, nullable = item(op, av)
            if f is None:
                return None, False
            out |= f
            if not nullable:
                return out, False
        return out, True

    def item(op, av):
        if op is C.LITERAL:
            return {chr(av).lower()}, False
        if op is C.IN:
            chars: set[str] = set()
            for o, a in av:
                if o is C.LITERAL:
                    chars.add(chr(a).lower())
                elif o is C.RANGE and a[1] - a[0] < 256:
                    chars.update(chr(x).lower() for x in range(a[0], a[1] + 1))
                elif o is C.CATEGORY and a in (C.CATEGORY_DIGIT, C.CATEGORY_UNI_DIGIT):
                    chars.update("0123456789")
                elif o is C.CATEGORY and a in (C.CATEGORY_SPACE, C.CATEGORY_UNI_SPACE):
                    chars.update(" \t\n\r\f\v\xa0")
                else:
                    return None, False
            return chars, False
        if op is C.BRANCH:
            out, nul = set(), False
            for b in av[1]:
                f, n = seq(b)
                if f is None:
                    return None, False
                out |= f
                nul = nul or n
            return out, nul
        if op is C.SUBPATTERN:
            return seq(av[3])
        if op in (C.MAX_REPEAT, C.MIN_REPEAT) or op is getattr(C, "POSSESSIVE_REPEAT", None):
            f, n = seq(av[2])
            return f, n or av[0] == 0
        if op is getattr(C, "ATOMIC_GROUP", None):
            return seq(av)
        if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            return set(), True
        return None, False

    try:
        f, _ = seq(P.parse(pattern, re.IGNORECASE))
    except Exception:  # noqa: BLE001 - any doubt: the rule is tried everywhere
        return None
    return frozenset(f) if f is not None else None


_FIRST = [_first_chars(p) for p in _parts]
_RULES_AT: dict[str, tuple] = {}  # first character + classes of the next ones -> the rules to try
_prefix_state: list = []  # [(trie, compiled matchers)] once built


def warm_up() -> None:
    """Compile the rules and build the index of their beginnings now (otherwise done on first use)."""
    if not _prefix_state:
        _prefix_state.append((build_trie(_parts), [re.compile(p).match for p in _parts]))


def _rules_at(key: str) -> tuple:
    """The rules (in priority order) that can match where the text reads `key` (first character
    as is, the others as classes): those whose first character fits (as before) and some beginning
    of which fits the key (prefix.py) - the first of them that matches is the first of all rules."""
    warm_up()
    trie, matchers = _prefix_state[0]
    c = key[0]
    found = candidates(trie, char_class(c) + key[1:])
    rules = tuple((matchers[i], _group_maps[i], _kinds[i]) for i, f in enumerate(_FIRST)
                  if i in found and (f is None or c in f))
    if len(_RULES_AT) > 200_000:  # bounded memory in a long-running process
        _RULES_AT.clear()
    _RULES_AT[key] = rules
    return rules


def _trigger_words() -> frozenset[str]:
    """Every word that can begin a match: the word lists plus the literal words of the patterns."""
    words: set[str] = set()
    for table in (MONTHS, WEEKDAYS, SEASONS, PODS, NUMBERS, UNITS, ORDINALS, FIXED, HOLIDAYS, MODIFIERS, APPROX,
                  SETADV, DECWORDS, CENTWORDS):
        for w in table:
            words.update(x for x in re.split(r"[\s'’-]", w.lower()) if x)
    for w in VAGUE:
        words.update(w.split())
    for r in RULES:
        p = re.sub(r"\(\?P[<=]\w+>?\)?|\\[a-zA-Z]|\{[A-Z]+\}", " ", r["pattern"])
        words.update(x.lower() for x in re.findall(r"[A-Za-z]{2,}", p))
    words -= set(K["scanner"]["not_triggers"])
    return frozenset(words)


_PLURAL_WEEKDAYS = frozenset(w + "s" for w in WEEKDAYS if w.endswith("day"))  # "on Mondays", "Friday nights": a set
TRIGGERS = _trigger_words() | set(K["scanner"]["extra_triggers"]) | _PLURAL_WEEKDAYS
# words that are a timex on their own; any other trigger word only starts a match when the
# next word is a trigger or a number ("the" + "past", "a" + "year", "more" + "than")
STANDALONE = frozenset(
    [w for w in MONTHS if len(w) > 3 or w == "may"] + list(WEEKDAYS) + list(_PLURAL_WEEKDAYS) + list(SEASONS) + list(SETADV)
    + [w for w in FIXED if " " not in w] + [w for w in HOLIDAYS if " " not in w]
    + K["scanner"]["standalone"]
)
_PREFIX_CODES = K["scanner"]["prefix_codes"]
_CODES = frozenset(K["scanner"]["codes"]) | frozenset(_PREFIX_CODES)
_CODE_FIRST = frozenset(c[0] for c in _CODES)


_TOKEN_WORDS = sorted((TRIGGERS - frozenset(K["scanner"]["not_tokens"])) | set(K["scanner"]["codes"]))
_TOKEN = (r"((?:" + trie_regex(_TOKEN_WORDS) + r")(?![^\W_])|(?:" + "|".join(_PREFIX_CODES) + r")(?=\d)|\d{1,8}(?!\d))")
_TRIG_RE = re.compile(r"(?<![^\W_])" + _TOKEN)  # a token: not right after a letter or digit
# the same tokens after the first position, found from the character before them: a search for a
# first character the regex engine skips to quickly ([\W_]).  The same matches because no token
# ends in such a character (so none is needed as the end of one token and the start of the next).
_AFTER_RE = re.compile(r"[\W_]" + _TOKEN) if all(w[-1].isalnum() for w in _TOKEN_WORDS + _PREFIX_CODES) else None


def _tokens(low: str):
    """The trigger tokens of the lower-cased text: matches whose group 1 is the token."""
    if _AFTER_RE is None:
        return _TRIG_RE.finditer(low)
    m0 = _TRIG_RE.match(low)
    if m0 is None:
        return _AFTER_RE.finditer(low)
    return _then((m0,), _AFTER_RE.finditer(low, m0.end()))
_NEXT_LOW = re.compile(r"\s{1,3}([a-z]+)")
_SC = K["scanner"]
# words that may follow a number that starts a timex ("five days", "25 September", "5 p.m.", "5 to 7")
FOLLOW = frozenset(set(MONTHS) | set(UNITS) | set(NUMBERS) | set(SEASONS) | set(WEEKDAYS) | set(PODS)
                   | set(_SC["number_followers"]))
# words that never end a timex: a chain of them waits for a content word ("the" + "first" + "quarter")
FUNCTION = frozenset(set(_SC["function_words"]) | set(ORDINALS) | set(VAGUE) | set(w for v in VAGUE for w in v.split())
                     | set(w for w in NUMBERS if " " not in w)) - set(_SC["year_numbers"])  # "nineteen ninety-six"
NEVER_FIRST = frozenset(_SC["never_first"])
_DIGIT_FOLLOW = frozenset("/.:-–'’")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def scan(text: str):
    """Leftmost-first, non-overlapping matches of the rules, tried only where a timex can begin, as a stream of
    ``(start, end, kind, groups)``.

    One pass of one prefix-factored regex finds the trigger tokens (numbers and the words of the
    tables).  A match is attempted at a number, at a standalone word ("Friday", "yesterday"), and at
    the start of a chain of adjacent trigger words once the chain reaches a content word or a
    number ("the" + "past" + "year", "more than a" + "year"); function words alone ("the", "that a")
    are never tried.  Each attempt is one anchored match of the alternation of the rules that can
    begin with that character.  Linear: every token is looked at once, every attempt is bounded."""
    out = []
    last = 0
    alone = STANDALONE
    func = FUNCTION
    never = NEVER_FIRST
    low = text.lower()
    if len(low) != len(text):
        low = text.translate(_ASCII_LOWER)
    chain: list[int] = []  # starts of adjacent non-standalone trigger words
    chain_content = False  # does the chain hold a word that is not a function word ("aug", "year")?
    chain_end = -10
    rules_at = _RULES_AT

    def attempt(p):
        nonlocal last
        key = low[p:p + DEPTH]
        key = key[0] + (key[1:].translate(CLASS_TABLE) if key.isascii() else "".join(map(char_class, key[1:])))
        rules = rules_at.get(key)
        if rules is None:
            rules = _rules_at(key)
        for match, groups, kind in rules:
            m = match(low, p)
            if m is not None:
                last = m.end()
                gd = {}
                for full, n in groups:
                    a, b = m.span(full)
                    gd[n] = text[a:b] if a >= 0 else None
                out.append((p, last, kind, gd))
                return

    for t in _tokens(low):
        if out:  # streamed: a text of 800,000 dates never holds all its candidates at once
            yield from out
            out.clear()
        p = t.start(1)
        e = t.end()
        if chain and p - chain_end > 4:
            # the chain ended without a content word after it: worth a try only if it holds one
            # ("year-earlier", "nineteen ninety-six", "Aug." at a line end)
            if chain_content:
                for q0 in chain:
                    if q0 >= last:
                        attempt(q0)
            chain = []
        if p < last:
            chain = []
            continue
        w = t.group(1)
        isdig = w[0].isdigit()
        if isdig:
            q = p
            ok = True
            if p:
                c = text[p - 1]
                if c in ".,$€£¥#":  # decimals, thousands, prices, ids: never the start of a timex
                    ok = False
                elif c == "'":
                    q = p - 1
            if ok and q == p and len(w) != 4 and len(w) != 8:
                # a number that is not a year ('87 is) only starts a timex when followed by a date/time
                # separator, a suffix ("25th", "1990s", "5pm") or a word of the tables ("five days")
                c = text[e:e + 1]
                if c == " " or c == "\xa0" or c == "\n":
                    nw = _NEXT_LOW.match(low, e)
                    if nw is None:
                        ok = low[e + 1:e + 4] == "1/2"  # "2 1/2 years"
                    else:
                        ok = nw.group(1) in FOLLOW
                elif not c or c not in _DIGIT_FOLLOW and not c.isalpha():
                    ok = False
            if chain and (ok or chain_content):  # "Aug. 7", "the 1990s", "about 20 years" - not "the 100 metres"
                for q0 in chain:
                    if q0 >= last:
                        attempt(q0)
            chain = []
            if ok and q >= last:
                attempt(q)
            continue
        if chain and w not in func:
            for q0 in chain:
                if q0 >= last:
                    attempt(q0)
            chain = []
            if p < last:
                continue
        if w in alone or (w[0] in _CODE_FIRST and w in _CODES):
            attempt(p)
            continue
        if w not in never:
            if not chain:
                chain_content = False
            chain.append(p)
            if w not in func:
                chain_content = True
        chain_end = e
    if chain and chain_content:
        for q0 in chain:
            if q0 >= last:
                attempt(q0)
    yield from out
