"""Which rules can match at a position, from the first few characters there (a conservative filter).

Every rule's regex is parsed once into the set of its possible beginnings: sequences of at most
DEPTH character classes.  A class stands for a whole group of characters - every whitespace
character is " ", every decimal digit is "D", a non-ASCII character that is neither is "?", any
other ASCII character is itself - so the beginnings of "\\d{4}-\\d{2}" or "the\\s{1,3}year" are few.
Anything the analysis does not follow exactly (lookarounds, back-references, \\w, [^...]) is
widened (a lookaround constrains nothing, \\w is any class): the beginnings are a superset, so a rule
left out at a position can never match there, and trying only the rules kept - in table order -
finds the same first match as trying them all.  All beginnings go into one trie of classes (a
wildcard edge for "any class"); a text position is looked up once per distinct beginning."""
from __future__ import annotations

import re
from re import _constants as C, _parser as P

DEPTH = 6
_MAX_SET = 6  # a set of more classes than this is treated as any class
_MAX_SEQS = 50000  # beyond this many beginnings a rule is not filtered


def char_class(ch: str) -> str:
    if ch.isspace():
        return " "
    if ch.isdecimal():
        return "D"
    return ch if ch.isascii() else "?"


CLASS_TABLE = {i: char_class(chr(i)) for i in range(128)}
_CATEGORY = {C.CATEGORY_DIGIT: r"\d", C.CATEGORY_NOT_DIGIT: r"\D", C.CATEGORY_SPACE: r"\s",
             C.CATEGORY_NOT_SPACE: r"\S", C.CATEGORY_WORD: r"\w", C.CATEGORY_NOT_WORD: r"\W"}
for _k, _v in list(_CATEGORY.items()):
    _CATEGORY[getattr(C, "CATEGORY_UNI_" + _k.name[len("CATEGORY_"):], _k)] = _v


class _Unknown(Exception):
    """A construct the analysis does not follow: the rule is not filtered."""


def _category(cat) -> frozenset | None:
    esc = _CATEGORY.get(cat)
    if esc is None:
        raise _Unknown
    rx = re.compile(esc)
    # a non-ASCII character is " " when \s matches it and "D" when \d does: those two stay exact
    other = set() if esc in (r"\d", r"\s") else {"?"}
    return frozenset({char_class(chr(i)) for i in range(128) if rx.fullmatch(chr(i))} | other)


def _atom(op, av):
    """The classes one character matched by this item can have (None: any class)."""
    if op is C.LITERAL:
        return frozenset({char_class(chr(av))})
    if op in (C.NOT_LITERAL, C.ANY):
        return None
    out: set[str] = set()
    for o, a in av:  # C.IN
        if o is C.LITERAL:
            out.add(char_class(chr(a)))
        elif o is C.RANGE and a[1] - a[0] < 256:
            out.update(char_class(chr(x)) for x in range(a[0], a[1] + 1))
        elif o is C.CATEGORY:
            out |= _category(a)
        else:  # NEGATE, big ranges, ...
            return None
    return frozenset(out) if len(out) <= _MAX_SET else None


def _concat(heads, tails):
    """Every head followed by every tail (closed heads, DEPTH long or ended by an unknown, stay)."""
    out = set()
    for h, closed in heads:
        if closed:
            out.add((h, True))
            continue
        for t, tclosed in tails:
            s = h + t
            out.add((s[:DEPTH], tclosed or len(s) >= DEPTH))
    if len(out) > _MAX_SEQS:
        raise _Unknown
    return out


def _seq(items):
    cur = {((), False)}
    for op, av in items:
        cur = _concat(cur, _item(op, av))
        if all(c for _, c in cur):
            break
    return cur


def _item(op, av):
    """The beginnings of one parsed item: a set of (tuple of classes, closed)."""
    if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
        return {((_atom(op, av),), False)}
    if op is C.BRANCH:
        out = set()
        for b in av[1]:
            out |= _seq(b)
        return out
    if op is C.SUBPATTERN:
        if av[1] or av[2]:  # inline flags
            raise _Unknown
        return _seq(av[3])
    if op is getattr(C, "ATOMIC_GROUP", None):
        return _seq(av)
    if op in (C.MAX_REPEAT, C.MIN_REPEAT) or op is getattr(C, "POSSESSIVE_REPEAT", None):
        lo, hi, sub = av
        body = _seq(sub)
        if any(not s and not c for s, c in body):  # a repeated item that can match nothing
            raise _Unknown
        out, cur = set(), {((), False)}
        for n in range(min(hi, lo + DEPTH) + 1):  # each repetition adds a class: DEPTH more close all
            if n >= lo:
                out |= cur
            if n == hi or all(c for _, c in cur):
                break
            cur = _concat(cur, body)
        return out
    if op in (C.AT, C.ASSERT, C.ASSERT_NOT):
        return {((), False)}
    if op is C.GROUPREF:  # unknown text of unknown length: no constraint from here on
        return {((), True)}
    raise _Unknown


def beginnings(pattern: str):
    """The possible beginnings of a match of `pattern` (compiled without flags), or None."""
    try:
        return _seq(P.parse(pattern))
    except (_Unknown, RecursionError):
        return None


def _node():
    return ({}, set(), {})  # edges {classes or None: node}, ended rules, class -> the nodes it leads to


def build_trie(patterns):
    """One trie of the beginnings of all patterns."""
    root = _node()
    always = set()
    for i, p in enumerate(patterns):
        seqs = beginnings(p)
        if seqs is None:
            always.add(i)
            continue
        for s, _ in seqs:
            nd = root
            for atom in s:
                nd = nd[0].get(atom) or nd[0].setdefault(atom, _node())
            nd[1].add(i)
    return root, frozenset(always)


def candidates(trie, key: str) -> set[int]:
    """The rules some beginning of which fits `key` (the classes of the text from the position)."""
    root, always = trie
    found = set(always)
    states = [root]
    for ch in key:
        nxt = []
        for edges, ended, index in states:
            found |= ended
            to = index.get(ch)
            if to is None:  # the edges a class follows, worked out on first use
                to = index[ch] = [child for atom, child in edges.items() if atom is None or ch in atom]
            nxt += to
        if not nxt:
            return found
        states = nxt
    for _, ended, _ in states:
        found |= ended
    return found
