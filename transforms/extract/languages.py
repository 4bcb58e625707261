"""Language names used as languages ("websites in English, Spanish, Korean"; "(Chinese: ...)"): the market
finder (transforms.extract.markets) drops them, since a language is not a market."""
from __future__ import annotations

import functools
import re

from transforms.extract.textmatch import trie_regex

__all__ = ["language_spans"]


def _config() -> dict:
    from transforms.extract.markets import config

    return config()


def language_spans(text: str) -> list[tuple[int, int]]:
    """Spans of language names used as languages ("in English, Spanish, Korean", "Chinese: ...")."""
    lang_re, sep_re, list_end_re, after_re, before_re = _lang_matchers()
    occ = [(m.start(), m.end()) for m in lang_re.finditer(text)
           if not m.start() or not (text[m.start() - 1].isalnum() or text[m.start() - 1] in "_-")]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(occ):
        s, e = occ[i]
        j = i
        while j + 1 < len(occ) and sep_re.fullmatch(text, occ[j][1], occ[j + 1][0]):
            j += 1                                    # a list: "English, Spanish, Korean and Thai"
        chain = occ[i:j + 1]
        before = text[max(0, s - 30):s]
        if _LANG_PREP_RE.search(before) and list_end_re.match(text, chain[-1][1]):
            spans.extend(chain)
        elif before_re.search(before):
            spans.extend(chain)
        else:
            spans.extend(c for c in chain if after_re.match(text, c[1]))
        i = j + 1
    return spans


_LANG_PREP_RE = re.compile(r"\b(?:in|into|from|to)\s+$")


@functools.cache
def _lang_matchers():
    langs = _config()["languages"]["names"]
    # no look-behind (it would disable the fast first-character scan): the caller checks the left boundary
    lang_re = re.compile(r"(?:" + trie_regex(langs) + r")(?![\w])")
    sep_re = re.compile(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*")
    # after "in Korean, Thai and Polish": punctuation or a function word means languages; a noun
    # ("in Russian rubles") means adjectives
    list_end_re = re.compile(r"\s*(?:[,.;:)!?\"”]|$)|\s+(?:and|or|as|only|too|for|to|with|by|on|at|from|but|"
                             r"while|since|because|so|is|are|was|were|which|that|if|when|where|than|instead|"
                             r"also|versions?|languages?|subtitles|speakers?|translations?)\b", re.M)
    after_re = re.compile(r"\s*:|[- ](?:language|languages|speaking|speakers?|translations?|subtitles|dubbed|"
                          r"version|versions|text|name|names|characters|words?|letters|media)\b")
    before_re = re.compile(r"\b(?:speaks?|spoken|speaking|written|translated|dubbed|fluent|interpreted)"
                           r"\s+(?:in\s+|into\s+|from\s+)?$")
    return lang_re, sep_re, list_end_re, after_re, before_re
