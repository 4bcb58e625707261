"""Sentence / paragraph / clause segmentation (transforms.extract.sentences)."""
from __future__ import annotations

import pytest

from transforms.extract import sentences
from transforms.extract.sentences import SpanSet, clauses, date_clause, paragraphs, split


def texts(text: str) -> list[str]:
    return [text[s:e] for s, e in split(text)]


def test_abbreviations_do_not_end_sentences():
    t = "Mr. Smith flew to the U.S. on Jan. 5 with Dr. Who. He paid in U.S. dollars."
    assert texts(t) == ["Mr. Smith flew to the U.S. on Jan. 5 with Dr. Who.", "He paid in U.S. dollars."]


def test_no_before_a_number_only():
    t = "The app ranked No. 1 in Russia. The answer was no. Then it changed."
    assert texts(t) == ["The app ranked No. 1 in Russia.", "The answer was no.", "Then it changed."]


def test_initials_and_lowercase_continuation():
    assert texts("J. K. Rowling wrote it. E.g. this one, e.g. that one.") == [
        "J. K. Rowling wrote it.", "E.g. this one, e.g. that one."]


def test_question_exclamation_and_closing_quotes():
    t = 'But is that true? "Yes!" he said. “It works.” Then more.'
    assert texts(t) == ["But is that true?", '"Yes!" he said.', "“It works.”", "Then more."]


def test_newlines_end_sentences_and_headings_stand_alone():
    t = "## Abroad\nSince 2013, AliExpress has transitioned\nAs of 2016 it ran sites."
    assert texts(t) == ["## Abroad", "Since 2013, AliExpress has transitioned", "As of 2016 it ran sites."]


def test_offsets_point_into_text_and_are_trimmed():
    t = "  First one.   Second one.  \n\n  Third.  "
    spans = split(t)
    assert [t[s:e] for s, e in spans] == ["First one.", "Second one.", "Third."]
    assert all(0 <= s < e <= len(t) for s, e in spans)


def test_empty_and_blank_text():
    assert split("") == [] and split(" \n\n \n") == [] and paragraphs("\n\n") == []


def test_paragraphs_are_separated_by_blank_lines():
    t = "One. Two.\nThree.\n\n\nFour.\n  \nFive."
    assert [t[s:e] for s, e in paragraphs(t)] == ["One. Two.\nThree.", "Four.", "Five."]


def test_abbreviations_are_data():
    abbr = sentences.abbreviations()
    assert abbr["U.S."] == "always" and abbr["Mr."] == "name" and abbr["No."] == "before_digit"
    assert abbr["Jan."] == "always"


def test_clauses_split_at_punctuation_and_subordinators_but_not_inside_the_date():
    t = "On September 25th, 2024, AliExpress Korea held a forum in Gangnam, South Korea, which helped sellers."
    d0 = t.index("September")
    d1 = d0 + len("September 25th, 2024")
    cl = [t[s:e] for s, e in clauses(t, protect=[(d0, d1)])]
    assert cl == ["On September 25th, 2024", "AliExpress Korea held a forum in Gangnam", "South Korea",
                  "which helped sellers."]


def test_date_clause_merges_a_bare_date_with_the_next_clause():
    t = "In November 2020, India's ministry banned the app, critics said."
    cl = clauses(t)
    d0 = t.index("November")
    s, e = date_clause(t, cl, d0, d0 + len("November 2020"))
    assert t[s:e] == "In November 2020, India's ministry banned the app"


def test_date_clause_at_the_end_merges_backwards():
    t = "Jack Ma speaks in Tel Aviv, Israel October 25, 2018."
    d0 = t.index("October")
    d1 = d0 + len("October 25, 2018")
    cl = clauses(t, protect=[(d0, d1)])
    s, e = date_clause(t, cl, d0, d1)
    assert t[s:e] == "Tel Aviv, Israel October 25, 2018." or t[s:e].startswith("Jack Ma")
    assert s <= d0 and e >= d1


@pytest.mark.parametrize("spans,probe,expected", [
    ([(0, 5), (10, 20)], (5, 10), False),
    ([(0, 5), (10, 20)], (4, 6), True),
    ([(10, 20), (15, 30)], (25, 26), True),
    ([], (0, 100), False),
])
def test_spanset(spans, probe, expected):
    assert SpanSet(spans).overlaps(*probe) is expected


def test_very_long_sentences_are_cut_near_max_length():
    t = "word, " * 2000                                  # 12,000 characters without a sentence end
    spans = split(t)
    assert len(spans) > 10
    assert all(e - s <= sentences.MAX_SENTENCE for s, e in spans)
    assert spans[0][0] == 0 and spans[-1][1] == len(t.rstrip())
    assert all(b[0] >= a[1] for a, b in zip(spans, spans[1:]))


class _CountingPattern:
    """Wraps a compiled pattern and adds up the length of every window it is asked to search."""

    def __init__(self, pattern):
        self.pattern, self.scanned = pattern, 0

    def search(self, string, pos=0, endpos=None):
        endpos = len(string) if endpos is None else endpos
        self.scanned += endpos - pos
        return self.pattern.search(string, pos, endpos)

    def match(self, string, pos=0, endpos=None):
        return self.pattern.match(string, pos, len(string) if endpos is None else endpos)


def _work(monkeypatch, text: str) -> int:
    counter = _CountingPattern(sentences._WORD_BEFORE_RE)
    monkeypatch.setattr(sentences, "_WORD_BEFORE_RE", counter)
    split(text)
    return counter.scanned


def test_one_long_line_costs_the_same_per_sentence_wherever_it_is(monkeypatch):
    """Work counted, not timed: on one line without newlines, each further 100 sentences cost exactly as
    much as the previous 100 (a rescan from the line start at each period would cost more each time)."""
    sentence = "The index rose in Moscow on 3 May 2021. "
    w1, w2, w3 = (_work(monkeypatch, sentence * (100 * k)) for k in (1, 2, 3))
    assert w2 - w1 == w3 - w2 == 100 * sentences.WORD_WINDOW
