"""Turn raw article text into clean body text: header lines, light markup and boilerplate out.

Pure functions; the patterns live in transforms/knowledge/boilerplate.toml.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from re import _constants as sre, _parser as sre_parse
from dataclasses import dataclass
from functools import lru_cache

from transforms import knowledge
from transforms.lake.schema import MAX_DATE, MIN_DATE

_CODE_PUNCT = "{}();=<>[]"


# --- prefilters: literal text a regex cannot match without ------------------------------------------

@dataclass(frozen=True)
class Prefilter:
    """A necessary condition for some patterns to match: the text contains one of ``literals``.

    ``literals`` is None when some pattern has no literal every match must contain (always try it).
    ``fold``: the literals are lower-case ASCII, looked for in the lower-cased text, and only an ASCII
    text is filtered (under IGNORECASE, ASCII letters also match a few non-ASCII ones, like the Kelvin sign).
    """
    literals: tuple[str, ...] | None
    fold: bool

    def may_match(self, text: str) -> bool:
        if self.literals is None:
            return True
        if self.fold:
            if not text.isascii():
                return True
            if not self.literals:
                return False
            text = text.lower()
        return any(map(text.__contains__, self.literals))

    def within(self, text: str) -> Prefilter:
        """This prefilter for the parts of ``text`` (its lines): only the literals ``text`` contains.
        Sound for a non-ASCII text too: an ASCII run lower-cases the same wherever it stands."""
        if self.literals is None:
            return self
        hay = text.lower() if self.fold else text
        return Prefilter(tuple(lit for lit in self.literals if lit in hay), self.fold)


def prefilter(*patterns: re.Pattern) -> Prefilter:
    """The literals read from the patterns' parse trees: every match of each pattern contains one."""
    fold = any(p.flags & re.IGNORECASE for p in patterns)
    found: set[str] = set()
    for pattern in patterns:
        try:
            tree = sre_parse.parse(pattern.pattern, pattern.flags)
        except Exception:  # noqa: BLE001 - a parser change: no prefilter, never a wrong one
            return Prefilter(None, fold)
        options = _required(list(tree), fold)
        if not options:
            return Prefilter(None, fold)
        found |= options
    return Prefilter(tuple(sorted(found)), fold)


_REPEATS = (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT)


def _required(items: list, fold: bool) -> frozenset[str] | None:
    """Strings of which every match of this parsed sequence contains one (the best found), or None."""
    options, run = [], []
    for op, av in [*items, (None, None)]:
        if op == sre.LITERAL and (not fold or av < 128):
            run.append(chr(av))
            continue
        if run:
            options.append(frozenset({"".join(run).lower() if fold else "".join(run)}))
            run = []
        inner = None
        if op == sre.SUBPATTERN and not av[1] and not av[2]:  # a group without flags of its own
            inner = _required(list(av[3]), fold)
        elif op == sre.ATOMIC_GROUP:
            inner = _required(list(av), fold)
        elif op in _REPEATS and av[0] >= 1:
            inner = _required(list(av[2]), fold)
        elif op == sre.BRANCH:
            branches = [_required(list(b), fold) for b in av[1]]
            inner = None if not all(branches) else frozenset().union(*branches)
        if inner:
            options.append(inner)
    return max(options, key=lambda o: min(map(len, o)), default=None)


@dataclass(frozen=True)
class Rules:
    date_prefix: re.Pattern   # "date 2021-12-31 " at the very start of a text
    date_line: re.Pattern     # a line that is only a (labelled) date
    drop: re.Pattern
    teaser: re.Pattern
    footer: re.Pattern
    code: re.Pattern
    code_punct_ratio: float
    code_prefilter: Prefilter  # a line none of whose literals occurs cannot match ``code``
    front_matter: dict[str, str]  # front-matter key (lower case) -> "title" | "date" | "url"


def _alternation(patterns: list[str]) -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


@lru_cache(maxsize=1)
def rules() -> Rules:
    cfg = knowledge.toml("boilerplate.toml")
    label = "|".join(map(re.escape, cfg["header_date_labels"]))
    return Rules(
        date_prefix=re.compile(rf"^\s*(?:{label})\s*[:\-]?\s*(\d{{4}}-\d{{2}}-\d{{2}})\b[ \t]*", re.IGNORECASE),
        date_line=re.compile(rf"^\s*(?:(?:{label})\s*[:\-]?\s*)?(\d{{4}})-?(\d{{2}})-?(\d{{2}})\s*$", re.IGNORECASE),
        drop=_alternation(cfg["drop_lines"]),
        teaser=_alternation(cfg["teaser_markers"]),
        footer=_alternation(cfg["footer_markers"]),
        code=_alternation(cfg["code_signatures"]),
        code_punct_ratio=float(cfg["code_punct_ratio"]),
        code_prefilter=prefilter(*(re.compile(p, re.IGNORECASE) for p in cfg["code_signatures"])),
        front_matter={k: field for field in ("title", "date", "url") for k in cfg[f"front_matter_{field}"]},
    )


# --- header lines ---------------------------------------------------------------------------------

_URL_LINE = re.compile(r"^\s*https?://\S+\s*$")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.+?)\s*#*\s*$")


def publication_date(y, m, d, where: str) -> tuple[dt.date | None, str | None]:
    """``(date, None)`` for a real calendar day within the lake's date range, else ``(None, why not)``:
    an impossible date (30 February, month 13) or one out of range is rejected, never shifted."""
    raw = f"{y}-{m}-{d}"
    try:
        value = dt.date(int(y), int(m), int(d))
    except (ValueError, OverflowError):
        return None, f"impossible publication date '{raw}' in the {where}: ignored"
    if not MIN_DATE <= value <= MAX_DATE:
        return None, f"publication date '{raw}' in the {where} outside {MIN_DATE.year}-{MAX_DATE.year}: ignored"
    return value, None


@dataclass
class Header:
    text: str
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    rejected: str | None = None  # why a header date was not taken
    basis: str = "header"  # documents.published_basis of its date: "metadata" for front matter


_FRONT_MATTER = re.compile(r"(---|\+\+\+)[ \t]*\n((?:[^\n]*\n){0,60}?)(?:\1|\.\.\.)[ \t]*(?:\n|$)")  # YAML, TOML
_FRONT_LINE = re.compile(r"^([A-Za-z_][\w-]{0,40})[ \t]*[:=][ \t]*(.*?)[ \t]*$")
_FRONT_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")


def split_header(text: str) -> Header:
    """Find a publication date in the first lines, with the title above it and a URL below it.

    Recognised: Markdown front matter ("---", ``key: value`` lines, "---"; TOML's "+++" and ``key = value``:
    the front_matter_* keys of boilerplate.toml), a line that is only a date (``20220303``, ``2022-03-03``,
    ``Date: 2022-03-03``) within the first four non-empty lines, and a ``date 2021-12-31`` prefix at the very
    start (the rest of that line is body text). Header lines are removed from the body; the rest is left alone.
    """
    front = _FRONT_MATTER.match(text)
    if front and _is_front_matter(front.group(2)):
        return _front_matter(front.group(2), text[front.end():])
    m = rules().date_prefix.match(text)
    if m:
        published, rejected = publication_date(*m.group(1).split("-"), where="header line")
        return Header(text=text[m.end():], published=published, rejected=rejected)
    lines = text.split("\n", 8)  # the header is in the first lines: never split the whole text here
    nonempty = [i for i, line in enumerate(lines[:8]) if line.strip()][:4]
    for pos, i in enumerate(nonempty):
        m = rules().date_line.match(lines[i])
        if pos > 1 or not m:
            continue  # a date line deeper in the text is body, not header
        published, rejected = publication_date(*m.groups(), where="header line")
        drop = {i}
        title = None
        if pos == 1:  # one line above the date: the title
            title = lines[nonempty[0]].strip()
            drop.add(nonempty[0])
        url = None
        if pos + 1 < len(nonempty) and _URL_LINE.match(lines[nonempty[pos + 1]]):
            url = lines[nonempty[pos + 1]].strip()
            drop.add(nonempty[pos + 1])
        body = "\n".join(line for j, line in enumerate(lines) if j not in drop)
        return Header(text=body, title=title, url=url, published=published, rejected=rejected)
    return Header(text=text)


def _is_front_matter(block: str) -> bool:
    """``key: value`` lines (with YAML list items and indented continuations), not prose between two rules."""
    lines = [line for line in block.split("\n") if line.strip()]
    return any(_FRONT_LINE.match(line) for line in lines) and all(
        _FRONT_LINE.match(line) or line[0] in " \t-#" for line in lines)


def _front_matter(block: str, body: str) -> Header:
    """The title, date and URL of a front matter block (quotes stripped); a date that is no calendar day is
    rejected with the reason."""
    fields: dict[str, str] = {}
    for line in block.split("\n"):
        m = _FRONT_LINE.match(line)
        field = rules().front_matter.get(m.group(1).lower()) if m else None
        if field and field not in fields and m.group(2).strip("'\""):
            fields[field] = m.group(2).strip("'\"")
    published = rejected = None
    if "date" in fields:
        d = _FRONT_DATE.match(fields["date"])
        published, rejected = publication_date(*d.groups(), where="front matter") if d else \
            (None, f"front matter date '{fields['date'][:40]}' is not a date: ignored")
    return Header(text=body, title=fields.get("title"), url=fields.get("url"), published=published, rejected=rejected,
                  basis="metadata")


def guess_title(text: str) -> str | None:
    """First Markdown heading, else a short first line without final punctuation."""
    for line in text.split("\n", 12)[:12]:  # the first twelve lines, without splitting the rest
        m = _HEADING.match(line)
        if m:
            return m.group(1).strip("*_ ")
    first = next((line.strip() for line in _lines(text) if line.strip()), "")
    if 0 < len(first) <= 160 and not first.endswith((".", "!", "?", ":", ";", ",")):
        return first.strip("*_# ")
    return None


def _lines(text: str):
    """``text.split("\\n")``, lazily."""
    start = 0
    while (end := text.find("\n", start)) >= 0:
        yield text[start:end]
        start = end + 1
    yield text[start:]


# --- light markup -----------------------------------------------------------------------------------

_MD_LINK = re.compile(r"\[([^\]\n]{1,300})\]\((?:[^)\s]{1,2000})\)")
_MD_EMPH = re.compile(r"(\*\*|__)(?=\S)([^\n]{1,500}?)(?<=\S)\1")
_MD_ITAL = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]{1,500}?)(?<=\S)\*(?![\w*])")
_MD_RULE = re.compile(r"^[ \t]{0,3}(?:-[ \t]*-[ \t]*-[- \t]*|\*[ \t]*\*[ \t]*\*[* \t]*|_[ \t]*_[ \t]*_[_ \t]*)$", re.M)
_MARKUP_PREFILTER = {p: prefilter(p) for p in (_HEADING, _MD_LINK, _MD_EMPH, _MD_ITAL, _MD_RULE)}


def strip_markup(text: str) -> str:
    """Markdown to plain text: heading marks, horizontal rules, emphasis and link syntax go, the words stay."""
    if _MARKUP_PREFILTER[_HEADING].may_match(text):
        out = []
        for line in text.split("\n"):
            m = _HEADING.match(line)
            out.append(m.group(1) if m else line)
        text = "\n".join(out)
    for pattern, repl in ((_MD_RULE, ""), (_MD_LINK, r"\1"), (_MD_EMPH, r"\2"), (_MD_ITAL, r"\1")):
        if _MARKUP_PREFILTER[pattern].may_match(text):  # most texts have no markup at all
            text = pattern.sub(repl, text)
    return text


# --- boilerplate ------------------------------------------------------------------------------------

def is_code(line: str) -> bool:
    r = rules()
    return _is_code(line.strip(), r, r.code_prefilter)


def _is_code(s: str, r: Rules, code_prefilter: Prefilter) -> bool:
    """``is_code`` of a stripped line; ``code_prefilter``: the rules' own, or that one ``within`` the text."""
    if not s:
        return False
    if code_prefilter.may_match(s) and r.code.search(s):
        return not _is_prose(s, r)  # prose may mention "<script" or "function(": a sentence is not code
    if ";" not in s and "{" not in s:
        return False
    punct = sum(map(s.count, _CODE_PUNCT))
    return punct / len(s) >= r.code_punct_ratio and not s.endswith((".", '"', "”")) and not _is_words(s)


def _is_prose(s: str, r: Rules) -> bool:
    """A sentence: ends like one and has several words (code lines end in ``;``, ``}`` or ``)``); or a long run of
    words with little code punctuation (a one-line article ending in a link: "... The advisory is at https://...")."""
    words = len(s.split())
    if s.endswith((".", "!", "?", '"', "”")) and words >= 6:
        return True
    return words >= 12 and sum(map(s.count, _CODE_PUNCT)) / len(s) < r.code_punct_ratio / 2


def _is_words(s: str) -> bool:
    """Mostly words, as a sentence is ("The court ruled on June 1, 2022 (case 12-345; docket [A])"), not code."""
    return len(s.split()) >= 8 and sum(map(str.isalnum, s)) >= 0.6 * len(s)


def _is_headline(line: str) -> bool:
    s = line.strip()
    return 0 < len(s) <= 160 and not s.endswith((".", "!", "?", ":", ";", ",", "”", '"'))


def remove_boilerplate(text: str) -> str:
    """Drop ad lines, embedded code, teaser blocks and footers; keep paragraph structure."""
    r = rules()
    lines = text.split("\n")
    n = len(lines)
    keep = [True] * n

    # footers: cut from the first footer marker in the last third of the document
    for i in range(n * 2 // 3, n):
        if r.footer.search(lines[i].strip()):
            for j in range(i, n):
                keep[j] = False
            break

    code_prefilter = r.code_prefilter.within(text)
    # a line is code by a signature (it has one of the prefilter's literals) or by its ';' or '{'
    any_code = code_prefilter.may_match(text) or ";" in text or "{" in text
    drop, teaser = r.drop.search, r.teaser.search
    for i, line in enumerate(lines):
        s = line.strip()
        if not s or not keep[i]:
            continue
        if drop(s) or (any_code and _is_code(s, r, code_prefilter)):
            keep[i] = False
        elif teaser(s):
            keep[i] = False
            _drop_teaser_block(lines, keep, i)
    if all(keep):
        return text  # what joining all the lines again gives
    return "\n".join(line for line, k in zip(lines, keep) if k)


def _drop_teaser_block(lines: list[str], keep: list[bool], marker: int) -> None:
    """Headline lines touching the marker go; after a teaser headline, its blurb paragraph goes too."""
    j = marker - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    if j >= 0 and _is_headline(lines[j]):
        keep[j] = False
    j = marker + 1
    while j < len(lines):
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j >= len(lines) or not _is_headline(lines[j]):
            return
        keep[j] = False
        j += 1
        while j < len(lines) and not lines[j].strip():
            j += 1
        if j < len(lines) and not _is_headline(lines[j]):
            keep[j] = False  # the teaser's blurb
            return


_BLANKS = re.compile(r"\n[ \t]*(?:\n[ \t]*){2,}")
_TRAILING = re.compile(r"[ \t]+\n")


# invisible characters that split words ("March\u200b 7": a zero-width space, a word joiner, a stray byte order
# mark) are removed; full-width Latin letters and digits ("Ｃｈｉｎａ") and the ideographic space become ASCII
_INVISIBLE_AND_WIDE = {0x200B: None, 0x2060: None, 0xFEFF: None, 0x3000: " ", 0x00A0: " ",
                       **{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}}


def tidy(text: str) -> str:
    """Normalise line ends and collapse runs of blank lines (keeps one blank line between paragraphs)."""
    if "\r" in text:  # one character is found fast; "\r\n" is looked for only where there is a "\r"
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.isascii():
        text = text.translate(_INVISIBLE_AND_WIDE)
    if " \n" in text or "\t\n" in text:  # what _TRAILING needs
        text = _TRAILING.sub("\n", text)
    if "\n\n\n" in text:  # _BLANKS needs three line ends with only blanks between, and none end a line now
        text = _BLANKS.sub("\n\n", text)
    return text.strip()


def normalised_for_hash(text: str) -> str:
    """The text identity of a document: Unicode NFKC with all whitespace runs folded."""
    return " ".join(unicodedata.normalize("NFKC", text).split())
