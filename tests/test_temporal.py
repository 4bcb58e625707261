"""Unit tests of the temporal tagger (transforms.temporal)."""
from __future__ import annotations

import datetime as dt
import io
import json
import pathlib
import re

import pytest

from transforms.temporal import Timex, run_jsonl, tag

SEEDS = pathlib.Path(__file__).resolve().parents[1] / "seeds"
D = dt.date


def find(text: str, dct=None, needle: str | None = None) -> Timex:
    """The single timex whose span covers `needle`."""
    ts = tag(text, dct)
    i = text.index(needle)
    hits = [t for t in ts if t.start <= i < t.end]
    assert hits, f"no timex covering {needle!r} in {[(t.text, t.value) for t in ts]}"
    return hits[0]


def values(text: str, dct=None) -> list[tuple[str, str, str]]:
    return [(t.text, t.type, t.value) for t in tag(text, dct)]


# ----------------------------------------------------------------------------- interface
def test_interface_and_invariants():
    text = "On March 3, 2022 the firm said sales rose 5% in the third quarter and will rise next year."
    ts = tag(text, D(2022, 3, 4))
    assert all(isinstance(t, Timex) for t in ts)
    assert [t.start for t in ts] == sorted(t.start for t in ts)
    for a, b in zip(ts, ts[1:]):
        assert a.end <= b.start
    for t in ts:
        assert text[t.start:t.end] == t.text
        assert t.type in {"DATE", "TIME", "DURATION", "SET"}
    with pytest.raises(Exception):
        ts[0].value = "x"  # frozen


def test_empty():
    assert tag("") == []
    assert tag("no dates at all here") == []


# ----------------------------------------------------------------------------- seeds
def _seed(prefix: str) -> str:
    return next(SEEDS.glob(prefix + "_*.txt")).read_text(encoding="utf-8")


@pytest.mark.skipif(not SEEDS.exists(), reason="seeds/ absent")
def test_seed_002():
    text = _seed("002")
    dct = D(2022, 3, 3)
    t = find(text, dct, "March 2")
    assert t.value == "2022-03-02" and t.type == "DATE"
    assert find(text, dct, "Last year").value == "2021"
    assert find(text, dct, "2021 report").value == "2021"
    assert find(text, dct, "2021 report").text == "2021"
    assert find(text, dct, "20220303").value == "2022-03-03"
    assert [t for t in tag(text, dct) if t.type == "SET"] == []  # "Shaanxi Daily" is a newspaper
    for bad in ("16.8 yuan", "$2.7", "20 yuan", "70 yuan"):
        i = text.index(bad)
        assert not [x for x in tag(text, dct) if x.start <= i + 1 < x.end], bad


@pytest.mark.skipif(not SEEDS.exists(), reason="seeds/ absent")
def test_seed_003():
    text = _seed("003")
    dct = D(2021, 12, 31)
    assert find(text, dct, "December 27").value == "2021-12-27"
    t = find(text, dct, "this week")
    assert (t.value, t.date_start, t.date_end) == ("2021-W52", D(2021, 12, 27), D(2022, 1, 2))
    assert find(text, dct, "2022, Aliexpress").value == "2022"
    assert find(text, dct, "October 25, 2018").value == "2018-10-25"
    # nothing from the javascript / hex ids
    i = text.index("cnxps.cmd")
    j = text.index("Speaking to the Post")
    assert not [x for x in tag(text, dct) if i <= x.start < j]


@pytest.mark.skipif(not SEEDS.exists(), reason="seeds/ absent")
def test_seed_001_no_dct():
    text = _seed("001")
    got = {(t.text, t.value) for t in tag(text)}
    assert ("November 2020", "2020-11") in got
    assert ("September 25th, 2024", "2024-09-25") in got
    assert ("March 2024", "2024-03") in got
    for y in ("2013", "2022", "2016", "2010"):
        assert (y, y) in got
    assert find(text, None, "5-7 days").type == "DURATION"
    assert find(text, None, "five years").type == "DURATION"
    assert find(text, None, "five years").value == "P5Y"
    for bad in ("8.18 million", "130%", "42 other", "10th"):
        i = text.index(bad)
        assert not [x for x in tag(text) if x.start <= i < x.end], bad
    t = find(text, None, "November 2020")
    assert (t.precision, t.date_start, t.date_end, t.anchor) == ("month", D(2020, 11, 1), D(2020, 11, 30), "absolute")


@pytest.mark.skipif(not SEEDS.exists(), reason="seeds/ absent")
def test_seed_000_inferred():
    text = _seed("000")
    t = find(text, None, "June 1.")
    assert (t.value, t.anchor) == ("2024-06-01", "inferred")
    t = find(text, None, "June 1st")
    assert (t.value, t.anchor) == ("2024-06-01", "inferred")
    assert find(text, None, "November 2023").value == "2023-11"
    t = find(text, None, "two years")
    assert t.type == "DURATION" and t.value == "P2Y"


# ----------------------------------------------------------------------------- formats
@pytest.mark.parametrize("text,value", [
    ("It opened on 25 September 2024.", "2024-09-25"),
    ("It opened on September 25th, 2024.", "2024-09-25"),
    ("It opened on September 25, 2024.", "2024-09-25"),
    ("It opened on 2024-09-25.", "2024-09-25"),
    ("It opened on 09/25/2024.", "2024-09-25"),
    ("It opened on 20220303.", "2022-03-03"),
    ("It opened on Sept. 25, 2024.", "2024-09-25"),
    ("It opened on the 25th of September 2024.", "2024-09-25"),
    ("Sales in November 2020 fell.", "2020-11"),
    ("Sales in 2020 fell.", "2020"),
    ("Sales in the 1990s fell.", "199"),
    ("Sales in the 20th century fell.", "19"),
    ("Sales in fiscal 2023 fell.", "2023"),
    ("Sales in Q3 2023 fell.", "2023-Q3"),
    ("Sales in the third quarter of 2023 fell.", "2023-Q3"),
    ("Sales in the first half of 2021 fell.", "2021-H1"),
    ("Sales in summer 2020 fell.", "2020-SU"),
    ("The meeting is at 3 p.m. on March 8, 2022.", "2022-03-08T15:00"),
])
def test_absolute_formats(text, value):
    assert value in [t.value for t in tag(text)], values(text)


def test_precision_and_intervals():
    t = tag("in 2021-W52")  # ISO week code written out is not news text; use the resolver instead
    ts = tag("Sales fell this week.", D(2021, 12, 31))
    assert (ts[0].precision, ts[0].date_start, ts[0].date_end) == ("week", D(2021, 12, 27), D(2022, 1, 2))
    t = tag("in the 1990s")[0]
    assert (t.precision, t.date_start, t.date_end) == ("decade", D(1990, 1, 1), D(1999, 12, 31))
    t = tag("in Q3 2023")[0]
    assert (t.precision, t.date_start, t.date_end) == ("quarter", D(2023, 7, 1), D(2023, 9, 30))
    t = tag("in summer 2020")[0]
    assert (t.precision, t.date_start, t.date_end) == ("season", D(2020, 6, 1), D(2020, 8, 31))
    t = tag("in the 20th century")[0]
    assert (t.precision, t.date_start, t.date_end) == ("century", D(1900, 1, 1), D(1999, 12, 31))
    t = tag("in February 2024")[0]
    assert (t.precision, t.date_start, t.date_end) == ("month", D(2024, 2, 1), D(2024, 2, 29))
    t = tag("for five years")[0]
    assert (t.precision, t.date_start, t.date_end) == (None, None, None)


# ----------------------------------------------------------------------------- relative
DCT = D(2021, 12, 31)  # a Friday


@pytest.mark.parametrize("text,needle,value", [
    ("He left yesterday.", "yesterday", "2021-12-30"),
    ("He leaves tomorrow.", "tomorrow", "2022-01-01"),
    ("Sales rose last year.", "last year", "2020"),
    ("Sales rose this year.", "this year", "2021"),
    ("Sales will rise next year.", "next year", "2022"),
    ("Sales rose last month.", "last month", "2021-11"),
    ("Sales rose this week.", "this week", "2021-W52"),
    ("Sales rose last week.", "last week", "2021-W51"),
    ("He said on Monday that sales rose.", "Monday", "2021-12-27"),
    ("The talks will resume on Monday.", "Monday", "2022-01-03"),
    ("He left two years ago.", "two years ago", "2019"),
    ("He left three days ago.", "three days ago", "2021-12-28"),
    ("On December 27, the paper reported it.", "December 27", "2021-12-27"),
    ("Prices rose earlier this month.", "earlier this month", "2021-12"),
    ("Prices rose in mid-March.", "mid-March", "2021-03"),
    ("Prices rose in late 2019.", "late 2019", "2019"),
    ("Profit fell in the third quarter.", "third quarter", "2021-Q3"),
    ("Profit fell in Q3.", "Q3", "2021-Q3"),
    ("He is here now.", "now", "PRESENT_REF"),
    ("He was there recently.", "recently", "PAST_REF"),
    ("He will go in the future.", "future", "FUTURE_REF"),
    ("Talks resume in the coming weeks.", "coming weeks", "PXW"),
    ("Talks resume in the weeks ahead.", "weeks ahead", "PXW"),   # the same span of time as "the coming weeks"
    ("Sales may fall in the months ahead.", "months ahead", "PXM"),
    ("The meeting is at 3 p.m. today.", "3 p.m.", "2021-12-31T15:00"),
    ("He arrived last night.", "last night", "2021-12-30TNI"),
    ("He arrived on Christmas Day.", "Christmas", "2021-12-25"),
    ("It happened last summer.", "last summer", "2021-SU"),
    ("It happened in the winter of nineteen ninety-four.", "the winter of nineteen ninety-four", "1994-WI"),
])
def test_relative_dct(text, needle, value):
    assert find(text, DCT, needle).value == value, values(text, DCT)


def test_relative_anchor_kinds():
    assert find("He left yesterday.", DCT, "yesterday").anchor == "dct"
    assert find("He left on 5 May 2020.", DCT, "May").anchor == "absolute"


def test_mod_set():
    assert find("Prices rose in mid-March.", DCT, "mid-March").mod == "MID"
    assert find("Prices rose in late 2019.", DCT, "late 2019").mod == "END"
    assert find("Prices rose in early 2019.", DCT, "early 2019").mod == "START"
    t = find("Prices rose in late 2019.", DCT, "late 2019")
    assert t.date_start > D(2019, 6, 1) and t.date_end == D(2019, 12, 31)


def test_tense_direction():
    dct = D(2022, 3, 3)
    assert find("A sale is due to start on June 1.", dct, "June 1").value == "2022-06-01"
    assert find("The sale started on June 1.", dct, "June 1").value == "2021-06-01"
    # no cue: the closest reading
    assert find("Profits: December 27.", D(2022, 1, 5), "December 27").value == "2021-12-27"
    assert find("The vote will be held in January.", D(2021, 11, 20), "January").value == "2022-01"


def test_previous_reference():
    text = "The plant closed on March 3, 2020. Two days later the workers left. The following month it reopened."
    # TimeML: the DURATION "Two days", "later" a signal outside it; the date it points to is resolved
    t = find(text, D(2020, 6, 1), "Two days")
    assert (t.text, t.type, t.value) == ("Two days", "DURATION", "P2D")
    assert (t.resolved, t.resolved_type, t.relation, t.anchor) == ("2020-03-05", "DATE", "after", "previous")
    assert (t.precision, t.date_start, t.date_end) == ("day", D(2020, 3, 5), D(2020, 3, 5))
    assert find(text, D(2020, 6, 1), "following month").value == "2020-04"


def test_no_dct_inferred():
    text = "The report came out on 4 May 2019. A day earlier, on Friday, shares fell. Last year profit rose."
    t = find(text, None, "Last year")
    assert (t.value, t.anchor) == ("2018", "inferred")
    t = find(text, None, "4 May 2019")
    assert t.anchor == "absolute"
    # without any absolute date a relative one stays unresolved
    t = find("Shares fell yesterday.", None, "yesterday")
    assert t.date_start is None and t.value.startswith("XXXX")


# ----------------------------------------------------------------------------- durations and sets
@pytest.mark.parametrize("text,typ,value", [
    ("It took five years.", "DURATION", "P5Y"),
    ("It took 5-7 days.", "DURATION", "PXD"),
    ("It took two weeks.", "DURATION", "P2W"),
    ("It took a week.", "DURATION", "P1W"),
    ("It took several months.", "DURATION", "PXM"),
    ("It took 90 minutes.", "DURATION", "PT90M"),
    ("It took 16 hours.", "DURATION", "PT16H"),
    ("a two-year contract", "DURATION", "P2Y"),
    ("It took more than two years.", "DURATION", "P2Y"),
    ("It took about a decade.", "DURATION", "P10Y"),
    ("It is published daily.", "SET", "P1D"),
    ("It is published every week.", "SET", "P1W"),
    ("It is held twice a year.", "SET", "P1Y"),
    ("It is published weekly.", "SET", "P1W"),
])
def test_durations_sets(text, typ, value):
    ts = tag(text, DCT)
    assert (typ, value) in [(t.type, t.value) for t in ts], values(text, DCT)


def test_duration_mod():
    t = find("It took more than two years.", DCT, "two years")
    assert t.mod == "MORE_THAN" and t.text == "more than two years"


# ----------------------------------------------------------------------------- rejections
@pytest.mark.parametrize("text", [
    "Cookies cost 16.8 yuan $2.7 each.",
    "Water costs 20 yuan.",
    "Prices rose 130% to $2016.",
    "It had 8.18 million users.",
    "It banned 42 other apps.",
    "He lives at 2231 Royal Street.",
    "She lives at 2010 Elm Street.",
    "Upgrade to version 2.2010.1 please",
    "The id is 0x2019ab and ff2020.",
    "commit 3f2a2019c7 was merged",
    "Call 555-2019 or +1 212 555 2020.",
    "It rose 2,016 points.",
    "It sold 2016 cars.",
    "It was the 10th most popular website.",
    "x = foo(2019); y[2020] = 1;",
    "It weighs 1999 kg.",
])
def test_rejections(text):
    dates = [t for t in tag(text, DCT) if t.type in ("DATE", "TIME")]
    assert dates == [], values(text, DCT)


def test_impossible_date():
    ts = tag("It happened on 31 February 2022.")
    assert all(t.value != "2022-02-31" for t in ts)
    assert all(t.precision != "day" for t in ts)
    assert tag("It happened on 2022-02-31.") == []


# ----------------------------------------------------------------------------- robustness
# (speed and linear time are measured by benchmarks/bench_tagger.py, not asserted here)
@pytest.mark.parametrize("text,expected", [
    ("1" * 100_000, []),
    ("9/" * 50_000, []),
    ("March " * 20_000, []),
    ("- " * 50_000 + "2020", [("2020", "DATE", "2020")]),
])
def test_pathological_input(text, expected):
    assert values(text, DCT) == expected


def test_pathological_repetition():
    ts = tag("the past " * 20_000, DCT)
    assert len(ts) == 20_000 and {(t.text, t.type, t.value) for t in ts} == {("the past", "DATE", "PAST_REF")}


def test_long_document_tags_like_its_paragraphs():
    para = ("On March 3, 2020, the company said sales rose 5% last year and would rise "
            "in the third quarter; two days later it cut 42 jobs. ")
    one = [("March 3, 2020", "2020-03-03", "2020-03-03"), ("last year", "2020", "2020"),
           ("the third quarter", "2021-Q3", "2021-Q3"), ("two days", "P2D", "2022-01-02")]
    ts = tag(para * 200, DCT)
    assert [(t.text, t.value, t.resolved) for t in ts] == one * 200


# ----------------------------------------------------------------------------- jsonl contract
def test_run_jsonl():
    inp = io.StringIO(
        json.dumps({"id": "a", "text": "He left yesterday.", "dct": "2022-03-03"}) + "\n"
        + "this is not json\n"
        + json.dumps({"id": "b", "text": None, "dct": None}) + "\n"
        + json.dumps({"id": "c", "text": "In November 2020 it was banned.", "dct": None}) + "\n"
        + json.dumps({"id": "d", "text": "In 2019 it rose.", "dct": "not-a-date"}) + "\n"
        + json.dumps({"text": "no id"}) + "\n"
        + json.dumps({"id": 7, "text": "", "dct": "2020-01-01T10:00:00"}) + "\n"
        + json.dumps({"id": ["x"], "text": "On Monday.", "dct": "2022-03-05"}) + "\n"
    )
    out = io.StringIO()
    rc = run_jsonl(inp, out)
    recs = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["id"] for r in recs] == ["a", None, "b", "c", "d", None, 7, ["x"]]  # one answer a line, ids as sent
    assert recs[0]["timexes"] == [{"start": 8, "end": 17, "text": "yesterday", "type": "DATE", "value": "2022-03-02",
                                   "resolved": "2022-03-02", "date_start": "2022-03-02", "date_end": "2022-03-02",
                                   "precision": "day", "anchor": "dct"}]
    assert [r.get("line") for r in recs if r["id"] is None] == [2, 6]
    assert [i for i, r in enumerate(recs) if "error" in r] == [1, 2, 5]  # never answered as "no dates"
    assert "not text: NoneType" in recs[2]["error"]
    assert recs[3]["timexes"][0]["value"] == "2020-11"
    assert recs[4]["timexes"][0]["value"] == "2019" and "unreadable dct" in recs[4]["warning"]  # not lost
    assert recs[6]["timexes"] == [] and "error" not in recs[6]
    assert recs[7]["timexes"][0]["text"] == "Monday"
    assert rc == 1  # the batch ran to the end; some lines were errors


def test_cli_jsonl_subprocess():
    import subprocess
    import sys
    payload = json.dumps({"id": "x", "text": "He left on 5 May 2021.", "dct": None}) + "\n"
    from pathlib import Path
    timeline = str(Path(sys.executable).with_name("timeline"))  # the project's one tagger CLI
    p = subprocess.run([timeline, "extract", "--jsonl"], input=payload, capture_output=True, text=True, timeout=60)
    assert p.returncode == 0
    assert json.loads(p.stdout.splitlines()[0])["timexes"][0]["value"] == "2021-05-05"
    p = subprocess.run([timeline, "extract", "--jsonl"], input=payload + "not json\n", capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 1 and "line 2" in p.stderr and len(p.stdout.splitlines()) == 2


# ----------------------------------------------------------------------------- more rules
@pytest.mark.parametrize("text,needle,value", [
    ("Sales will rise by the end of the year.", "the end of the year", "2021"),
    ("Sales rose in the year-earlier period.", "year-earlier", "2020"),
    ("He arrived the day before yesterday.", "the day before yesterday", "2021-12-29"),
    ("It happened in nineteen ninety-six.", "nineteen ninety-six", "1996"),
    ("He came back in January this year.", "January this year", "2021-01"),
    ("The offer expires at noon Friday.", "noon Friday", "2021-12-31T12:00"),
    ("It was built in the 11th century.", "11th century", "10"),
    ("It grew in the mid-1990s.", "1990s", "199"),
    ("Shares fell in 1998-99.", "1998", "1998"),
    ("The deal was signed on Monday, Dec. 27.", "Dec. 27", "2021-12-27"),
])
def test_more_relative(text, needle, value):
    assert find(text, DCT, needle).value == value, values(text, DCT)


def test_quarter_context():
    text = ("Profit rose 5% in the third quarter. A year earlier, it had fallen. "
            "The quarter's sales were flat, compared with the year-ago quarter.")
    dct = D(1989, 10, 26)
    assert find(text, dct, "third quarter").value == "1989-Q3"
    t = find(text, dct, "A year earlier")  # the comparison: a DATE with its relation word inside
    assert (t.text, t.type, t.value) == ("A year earlier", "DATE", "1988-Q3")
    assert find(text, dct, "The quarter").value == "1989-Q3"
    assert find(text, dct, "year-ago quarter").value == "1988-Q3"


@pytest.mark.parametrize("comparison,value", [
    ("the same period last year", "1988-Q3"), ("the corresponding quarter a year earlier", "1988-Q3"),
    ("the comparable year-ago quarter", "1988-Q3"), ("last year's quarter", "1988-Q3"),
    ("the same period of 1987", "1987-Q3"),
])
def test_the_comparable_period_is_one_date_the_quarter_under_discussion_a_year_before(comparison, value):
    text = f"Net income in the third quarter rose 5% from {comparison}."
    t = find(text, D(1989, 10, 26), comparison)
    assert (t.text, t.type, t.value) == (comparison, "DATE", value)


def test_the_comparable_period_without_a_quarter_is_the_year():
    t = find("Exports rose 10% from the same period last year.", D(2005, 11, 4), "last year")
    assert (t.text, t.value) == ("the same period last year", "2004")
    assert find("Exports rose from the same period of 2004.", D(2005, 11, 4), "2004").value == "2004"


@pytest.mark.parametrize("text, value", [
    # "since" after the expression begins another one: no tense cue for it
    ("Iraq goes to the polls on Thursday to elect its first parliament since the 2003 invasion.", "2005-12-15"),
    ("Profit has risen since Thursday.", "2005-12-08"),
    # "has"/"have" are a past cue only as a perfect's auxiliary
    ("Expatriates have until Thursday to cast their ballot.", "2005-12-15"),
    ("The company has said Thursday that it would sell.", "2005-12-08"),
    # a present passive is no tense cue, except before "to" and a verb: a plan
    ("Williams, who has been on death row for years, is sentenced to die on Thursday.", "2005-12-15"),
    # an -ed noun or a name is no past tense: the nearer Thursday without a cue
    ("Security will be tight to limit bloodshed during Iraq's watershed election on Thursday.", "2005-12-15"),
    ("Talks between Prime Minister Ahmed and the rebels open Thursday.", "2005-12-15"),
    # "ahead of" an event: the event is still to come
    ("Jeffrey spoke ahead of the election Thursday for Iraq's first permanent legislature.", "2005-12-15"),
])
def test_tense_cues_that_belong_to_something_else(text, value):
    assert find(text, D(2005, 12, 13), "Thursday").value == value


@pytest.mark.parametrize("text", ["The operation on Sunday is said to be the first.",
                                  "The decline on Sunday is attributed to a weak report."])
def test_hearsay_and_a_preposition_are_no_plan(text):
    # without a cue a Sunday two days back is the last one; neither makes it the coming one
    assert find(text, D(2005, 12, 13), "Sunday").value == "2005-12-11"


@pytest.mark.parametrize("text, value", [
    # the verb of the expression's own clause, not one past the comma after it
    ("The governments, whose talks are supposed to conclude by May, invited Sinn Fein to rejoin.", "1998-05"),
    ("Morricone, who is to receive an honorary Oscar in May, on Thursday said it was a surprise.", "1998-05"),
    # nothing on the left: the verb after the comma is the clause's ("In May, the company cut jobs")
    ("In May, the company closed two plants.", "1997-05"),
    ("In May, Smith said, the company cut jobs.", "1997-05"),
])
def test_a_cue_past_the_comma_after_the_expression_counts_less(text, value):
    assert find(text, D(1998, 3, 22), "May").value == value


@pytest.mark.parametrize("text, expected", [
    ("In the past, he won.", [("the past", "PAST_REF")]),
    ("He has in the past voiced concern.", [("the past", "PAST_REF")]),
    ("The drug may in the future lead to a cure.", [("the future", "FUTURE_REF")]),
    ("The future of the firm is bright.", [("The future", "FUTURE_REF")]),
    ("Prices will fall in the near term.", [("the near term", "FUTURE_REF")]),
    ("The short term counterparty risk rose.", []),
    ("He paid the past-due bills.", []),
    # a word the expression modifies: no time
    ("The past three presidents served in the army.", []),
    ("They played there in the past two seasons.", []),
    ("The future king spoke.", []),
    ("Use the past tense.", []),
    ("The present government fell.", []),
    # a unit without a number after "the past": an unknown number of them
    ("Prices rose over the past weeks.", [("the past weeks", "PXW")]),
    ("It grew in the past decades.", [("the past decades", "PXE")]),
])
def test_the_past_and_the_future_are_times_only_as_nouns(text, expected):
    assert [(t.text, t.value) for t in tag(text, DCT)] == expected


@pytest.mark.parametrize("text, expected", [
    ("It's the second day of an uprising.", [("the second day", "1998-03-06")]),
    ("The strike entered its 200th day.", [("200th day", "1998-03-06")]),          # the possessive outside
    ("Stocks fell for the third consecutive year.", [("the third consecutive year", "1998")]),
    ("Prices rose for the fourth week in a row.", [("the fourth week", "1998-W10")]),
    # a streak in a clause about another day is that day's
    ("Stocks fell Tuesday for a second straight day.", [("Tuesday", "1998-03-03"), ("a second straight day", "1998-03-03")]),
    # no running count: the second day of something that has no date here
    ("On the second day of the talks he left.", []),
    ("They met at their third day-long meeting.", [("day-long", "P1D")]),
])
def test_an_ordinal_day_of_a_running_count_is_the_current_one(text, expected):
    assert [(t.text, t.value) for t in tag(text, D(1998, 3, 6))] == expected


@pytest.mark.parametrize("text", [
    "Australia, upset by Canada in the quarter-finals, finished fifth.",
    "They reached the semi-finals in the first half of the season.",
    "He scored his second half century of the tour.",
])
def test_sports_quarters_and_halves_are_no_dates(text):
    assert tag(text, DCT) == []


FEB, NOV = D(1998, 2, 13), D(1998, 11, 27)


@pytest.mark.parametrize("dct, text, expression, value", [
    # an "un-" -ed word is an adjective, not a past tense: the "will" before it decides
    (FEB, "Qantas will almost double its flights between Australia and India by August in the search for new "
          "markets untouched by the crisis.", "August", "1998-08"),
    (FEB, "Beginning July 1, unleaded petrol will be available at 300 stations.", "July 1", "1998-07-01"),
    # ... but "un-" verbs are past forms: "unveiled"
    (FEB, "The company unveiled the plan in May, the report said.", "May", "1997-05"),
    # "followed by" joins two events: "could ... in January" stays the nearest January, the coming one
    (NOV, "Maysan could transfer to Iraqi control in January, followed by Basra.", "January", "1999-01"),
])
def test_adjective_and_sequence_ed_words_are_no_tense_cue(dct, text, expression, value):
    assert find(text, dct, expression).value == value


@pytest.mark.parametrize("text, expression, value", [
    # the reporting verb outside a quotation is no cue for what the quotation says
    ('"We will go back to Baidoa to present our laws to the parliament on Sunday," he added.', "Sunday", "2006-12-31"),
    ('"I hope we can have a deal maybe in February or March," he said.', "February", "2007-02"),
])
def test_a_quotation_is_a_clause_of_its_own(text, expression, value):
    assert find(text, D(2006, 12, 29), expression).value == value


def test_a_quarter_a_distant_cue_would_put_three_quarters_ahead_is_the_nearest():
    text = "The thrift said it plans to restructure in the wake of a third-quarter loss of $7.7 million."
    assert find(text, D(1989, 10, 26), "third-quarter").value == "1989-Q3"


@pytest.mark.parametrize("text, first", [
    ("acting from November 20 to November 21, 1991 at the farm", "1991-11-20"),
    ("the expo will be held from May 1 to October 31, 2010, in Shanghai", "2010-05-01"),
    ("between December 30 and January 2, 1992", "1991-12-30"),
])
def test_the_year_written_after_a_range_is_its_first_days_too(text, first):
    (a, b) = tag(text, D(2005, 12, 12))
    assert (a.value, a.anchor) == (first, "absolute") and b.anchor == "absolute"


def test_a_comparison_is_not_the_time_the_text_goes_on_from():
    text = ("Machinery orders in February rose 9.9 percent from a year earlier, after growing 14.8 percent in "
            "the previous month, the agency said.")  # the month before February, not before the DCT's April
    assert find(text, D(1997, 4, 10), "the previous month").value == "1997-01"


@pytest.mark.parametrize("compared", ["higher than a year ago", "up from a year ago", "compared with a year ago"])
def test_the_point_a_figure_is_compared_with_is_not_the_time_the_text_goes_on_from(compared):
    text = f"Prices were {compared}. Herbicide use was delayed earlier in the year by rains."
    assert find(text, D(1989, 10, 26), "earlier in the year").value == "1989"


def test_weekday_next_to_dct():
    # a Thursday in a Wednesday paper is tomorrow, whatever the tense of the clause
    assert find("The court ruled Thursday.", D(2000, 4, 5), "Thursday").value == "2000-04-06"
    assert find("The court ruled Monday.", D(2000, 4, 5), "Monday").value == "2000-04-03"
    assert find("The court will rule Monday.", D(2000, 4, 5), "Monday").value == "2000-04-10"
    # weekday + part of day: a TIME, the TimeML part of day on that date
    t = find("It rained Friday night.", D(2000, 4, 8), "Friday night")
    assert (t.type, t.value, t.date_start, t.date_end) == ("TIME", "2000-04-07TNI", D(2000, 4, 7), D(2000, 4, 7))


def test_part_of_day_and_clock_anchor():
    assert find("He arrived Wednesday evening.", D(2000, 3, 29), "Wednesday evening").value == "2000-03-29TEV"
    t = find("The talks ended early Friday morning.", D(2000, 1, 28), "Friday morning")
    assert (t.text, t.type, t.value, t.mod) == ("early Friday morning", "TIME", "2000-01-28TMO", "START")
    # without a weekday too
    t = find("He spoke this morning.", D(2000, 1, 28), "this morning")
    assert (t.type, t.value) == ("TIME", "2000-01-28TMO")
    # a bare clock time sits on the last day-precision date mentioned, even after a coarser one
    t = find("The blast came on Aug. 7, 1998. In May it was rebuilt. It happened at 10:35 a.m.", D(1999, 6, 1), "10:35 a.m.")
    assert (t.value, t.anchor) == ("1998-08-07T10:35", "previous")
    # ... but not when the text has moved on and the clause is not in the past: that is the anchor's day
    text = ("Fresh from his victory Tuesday, Cameron will fire the opening shots. He became leader in 1994. "
            "The first test comes at 1200 GMT in parliament.")
    assert find(text, D(2005, 12, 7), "1200 GMT").value == "2005-12-07T12:00Z"
    assert find(text.replace("comes", "came"), D(2005, 12, 7), "1200 GMT").value == "2005-12-06T12:00Z"
    # "that same day" right after a month: a day in that month
    assert find("He was shot last October. His name was crossed out that same day.", D(1999, 2, 6), "that same day").value == "1998-10-XX"


@pytest.mark.parametrize("text", [
    "According to China Daily, sales rose.",
    "He read the People's Daily on the train.",
    "After the fall of the Berlin Wall, trade grew.",
    "The fall in prices was steep.",
    "Two thousand troops were sent.",
    "You may go now, said the May Company chairman.",
])
def test_rejections_names(text):
    bad = [t for t in tag(text, DCT) if t.type in ("DATE", "SET") and t.value != "PRESENT_REF"]
    assert bad == [], values(text, DCT)


def test_apostrophe_and_unicode_safe():
    text = "Sales in the ’90s rose — «as of 2020» — and the Ⅻ İstanbul office opened on 5 May 2021."
    ts = tag(text, DCT)
    assert ("5 May 2021", "2021-05-05") in [(t.text, t.value) for t in ts]
    for t in ts:
        assert text[t.start:t.end] == t.text


def test_compact_date_on_its_own_line():
    text = "A headline\n20220303\nhttps://example.com/x\nBody text."
    assert ("20220303", "2022-03-03") in [(t.text, t.value) for t in tag(text)]


@pytest.mark.parametrize("text,needle,typ,value,mod", [
    ("The blast went off at 1530 GMT on Friday.", "1530 GMT", "TIME", "2021-12-31T15:30Z", None),
    ("The club meets every other Tuesday.", "every other Tuesday", "SET", "XXXX-WXX-2", None),
    ("The museum is closed on Mondays.", "Mondays", "SET", "XXXX-WXX-1", None),
    ("Flights leave on Monday and Tuesday nights.", "Monday", "SET", "XXXX-WXX-1TNI", None),
    ("Flights leave on Monday and Tuesday nights.", "Tuesday nights", "SET", "XXXX-WXX-2TNI", None),
    ("He flew out on Monday and Tuesday night.", "Monday", "DATE", "2021-12-27", None),
    ("The deal should close by the end of the second quarter.", "second quarter", "DATE", "2022-Q2", "END"),
    ("Profits rose by end-June.", "end-June", "DATE", "2021-06", "END"),
    ("It happened years ago.", "years ago", "DATE", "PAST_REF", None),
    ("The ceasefire held for nearly two months.", "two months", "DURATION", "P2M", "APPROX"),
    ("He waited 2 1/2 years.", "2 1/2 years", "DURATION", "P2Y6M", None),
    ("It lasted a minute and a half.", "a minute and a half", "DURATION", "PT1M30S", None),
])
def test_more_types(text, needle, typ, value, mod):
    t = find(text, DCT, needle)
    assert (t.type, t.value, t.mod) == (typ, value, mod), values(text, DCT)


def test_rates_are_not_durations():
    for text in ("It costs $1.76 a year.", "The airline runs four flights a week.", "It saves $500 million a year."):
        assert [t for t in tag(text, DCT) if t.type == "DURATION"] == [], values(text, DCT)


@pytest.mark.parametrize("text,span", [
    ("Friday's vote was close.", "Friday"),
    ("The two-week strike ended.", "two-week"),
    ("The third-quarter results were weak.", "third-quarter"),
    ("Profit fell in the third quarter.", "the third quarter"),
    ("It rose over the past two years.", "the past two years"),
])
def test_spans(text, span):
    assert [t.text for t in tag(text, DCT)] == [span]


def test_quarter_with_year_after():
    assert find("Its first-quarter 2020 results were weak.", DCT, "first-quarter").value == "2020-Q1"
    assert find("Its Q3 2023 results were weak.", DCT, "Q3").value == "2023-Q3"
    assert find("Its 1H23 results were weak.", DCT, "1H23").value == "2023-H1"


def test_no_dct_month_anchor_future_cue():
    # no DCT: anchor inferred from "November 2023" (month precision); a future cue -> the coming June 1
    text = "The report came out in November 2023. A sale is due to start on June 1."
    assert find(text, None, "June 1").value == "2024-06-01"
    text = "The report came out in November 2023. The sale began on June 1."
    assert find(text, None, "June 1").value == "2023-06-01"


def test_tense_cue_refinements():
    # "had been due to": a plan in the past -> the last Friday
    assert find("It had been due to expire Friday evening.", D(1989, 10, 30), "Friday evening").value == "1989-10-27TEV"
    # "the reduced dividend": an adjective, not a past-tense cue -> the nearer Jan. 2
    assert find("The reduced dividend is payable Jan. 2 to holders.", D(1989, 11, 2), "Jan. 2").value == "1990-01-02"
    # irregular past form
    assert find("In January, the company brought in a new chief.", D(1989, 10, 27), "January").value == "1989-01"
    # present passive is no past cue
    assert find("They lose if the case is heard in May in court.", D(2000, 3, 29), "May").value == "2000-05"


def test_fractions_and_titles_are_not_timexes():
    ts = tag("Iraq imports about three-quarters of its food.", D(1990, 8, 15))
    assert not [t for t in ts if "quarter" in t.text]
    ts = tag('Baker, speaking on ABC News\' "This Week," said so.', D(1990, 8, 13))
    assert not [t for t in ts if "Week" in t.text]
    assert find("It had several quarters of losses.", D(1989, 10, 30), "several quarters").value == "PXQ"


def test_quarter_under_discussion_is_a_completed_one():
    text = ("Acme posted a drop in third-quarter profit. Analysts expect the trend to continue into the "
            "fourth quarter. In the year-ago period, it earned more.")
    assert find(text, D(1989, 10, 26), "year-ago period").value == "1988-Q3"
    # "due to" = "because of": no future cue
    assert find("It cut the dividend due to its third-quarter loss.", D(1989, 11, 2), "third-quarter").value == "1989-Q3"


@pytest.mark.parametrize("text, needle, typ, value", [
    ("Sales rose 5% from a year earlier.", "a year earlier", "DATE", "1988"),       # no quarter discussed
    ("Exports in March fell from one year earlier.", "one year earlier", "DATE", "1988"),
    ("Two years earlier, sales fell.", "Two years", "DURATION", "P2Y"),           # a distance, not the idiom
    ("A year later, sales fell.", "A year", "DURATION", "P1Y"),
    ("A month earlier, sales fell.", "A month", "DURATION", "P1M"),
])
def test_only_the_one_year_comparison_is_a_date(text, needle, typ, value):
    t = find(text, D(1989, 11, 1), needle)
    assert (t.text, t.type, t.value) == (needle, typ, value), values(text, D(1989, 11, 1))


def test_earlier_quarter_in_comparison_keeps_the_reported_one():
    text = ("Acme posted a 20% gain in third-quarter profit. After a flat second quarter, sales grew. "
            "The quarter was helped by prices. Charges were taken in the year-earlier period.")
    assert find(text, D(1989, 11, 1), "year-earlier period").value == "1988-Q3"


# ----------------------------------------------------------------------------- compositions
def test_day_before_after_a_date():
    t = find("He went there the day before last Tuesday's hearing.", D(2000, 2, 24), "day before")
    assert (t.text, t.value) == ("the day before last Tuesday", "2000-02-21")
    assert find("Stores opened the day after Christmas.", D(2000, 1, 3), "day after").value == "1999-12-26"
    # only a day-precision date shifts; "the day before" alone is no timex
    assert values("It was the day before.", D(2000, 1, 3)) == []
    assert values("the day after March 1999", D(2000, 1, 3)) == [("March 1999", "DATE", "1999-03")]


def test_holiday_week():
    assert values("Rallies were held during Easter week.", D(2000, 4, 17)) == [("Easter week", "DATE", "2000-W16")]


@pytest.mark.parametrize("text,expected", [
    ("The summit is on April 24 and 25.", [("April 24", "1999-04-24"), ("25", "1999-04-25")]),
    ("Talks ran March 3-5, 1998 in Paris.", [("March 3", "1998-03-03"), ("5, 1998", "1998-03-05")]),
    ("The fair runs May 10 to 14.", [("May 10", "1999-05-10"), ("14", "1999-05-14")]),
    # the second number is a quantity, an impossible day or not after the first: only the first date
    ("Prices are to rise on May 5 and 6 percent later.", [("May 5", "1999-05-05")]),
    ("It runs June 30-31.", [("June 30", "1999-06-30")]),
    ("It runs June 12-3.", [("June 12", "1999-06-12")]),
])
def test_month_day_ranges(text, expected):
    assert [(t.text, t.value) for t in tag(text, D(1999, 2, 10))] == expected


@pytest.mark.parametrize("text,span,value", [
    ("their third day-long meeting", "day-long", "P1D"),
    ("a month-long strike", "month-long", "P1M"),
    ("the decades-long conflict", "decades-long", "PXE"),
    ("an hours-long standoff", "hours-long", "PTXH"),
    ("a 10-year-long war", "10-year-long", "P10Y"),
])
def test_long_adjectives(text, span, value):
    assert values(text, D(2000, 4, 3)) == [(span, "DURATION", value)]


def test_clock_hour_with_part_of_day():
    assert values("He will leave at 4 in the morning.", D(2000, 4, 5)) == [("4 in the morning", "TIME", "2000-04-05T04:00")]
    assert values("It lasted until 11 o'clock at night.", D(2000, 4, 5)) == [("11 o'clock at night", "TIME", "2000-04-05T23:00")]
    assert values("from 5 in the afternoon", D(2000, 4, 5)) == [("5 in the afternoon", "TIME", "2000-04-05T17:00")]
    # a bare number needs a clock preposition before it: a score is not a time
    assert values("He scored 2 in the morning session.", D(2000, 4, 5)) == []


@pytest.mark.parametrize("text,value", [
    ("Sales fell in the last half of 1989.", "1989-H2"),
    ("Sales fell in the last quarter of 1988.", "1988-Q4"),
    ("Sales fell in the final half of 1990.", "1990-H2"),
])
def test_last_part_of_a_year(text, value):
    assert [t.value for t in tag(text, D(1989, 10, 26))] == [value]


def test_last_quarter_without_year_is_the_previous_one():
    assert values("Profit rose last quarter.", D(1989, 10, 26)) == [("last quarter", "DATE", "1989-Q3")]


def test_annually_and_postponement_cue():
    assert values("The festival is held annually.", D(2000, 1, 1)) == [("annually", "SET", "P1Y")]
    # "postponed until Tuesday": a postponement points forward although "postponed" is past tense
    assert find("Officials postponed until Tuesday any action.", D(2000, 3, 30), "Tuesday").value == "2000-04-04"
    assert find("Officials postponed Tuesday's hearing.", D(2000, 3, 30), "Tuesday").value == "2000-03-28"


@pytest.mark.parametrize("text,value", [
    ("Talks resume in the first week of October.", "2024-W40"),
    ("It ended in the last week of March 2024.", "2024-W13"),
    ("Officials said it happened in the second week of May.", "2024-W19"),
])
def test_week_of_month(text, value):
    assert [(t.type, t.value) for t in tag(text, D(2024, 9, 25))] == [("DATE", value)]


@pytest.mark.parametrize("dct", [D(1, 1, 1), D(9999, 12, 31)])
def test_calendar_edges_never_raise(dct):
    text = ("The day after tomorrow, the day after Dec. 31, 9999, April 24 and 25, next week, "
            "two years later, the first week of December, Easter week, last quarter, 4 in the morning.")
    for t in tag(text, dct):
        assert text[t.start:t.end] == t.text


_TIMEX3_VALUE = re.compile(r"(?:BC)?\d{2,4}(?:-(?:\d{2}(?:-\d{2}(?:T[\dA-Z:]+)?)?|W\d{2}(?:-WE)?|Q[1-4]|H[12]|[A-Z]{2}))?"
                           r"|P(?:\d+(?:\.\d+)?[YMWDQ]|X[YMWDQEC])+(?:T(?:\d+(?:\.\d+)?[HMS])+)?|PT(?:\d+(?:\.\d+)?|X)[HMS]"
                           r"|P\d+[EC]|PXE|PXC|[A-Z]+_REF")


@pytest.mark.parametrize("text, dct", [
    ("It lasted 0 days, a 0-day wait, 0.0 months, every 0 days.", D(2021, 6, 15)),
    ("5000 years ago, 3000 centuries ago, 2021 years ago, two years ago.", D(2021, 6, 15)),
    ("next year, the next quarter, next decade, next century, tomorrow", D(9999, 12, 30)),
    ("last year, last decade, last century, last quarter, yesterday", D(1, 1, 3)),
])
def test_every_value_is_a_timeml_value_at_the_ends_of_the_calendar_and_of_quantities(text, dct):
    # a hostile run found "P" for "0 days", "-2979" for "5000 years ago", "10000" for "next year" in 9999
    for t in tag(text, dct):
        assert _TIMEX3_VALUE.fullmatch(t.value), (t.text, t.value)
        assert t.date_start is None or 1 <= t.date_start.year <= 9999


# ----------------------------------------------------------------------------- TimeML extents (issue 13)
def test_relation_signal_outside_the_duration():
    # "three weeks earlier" in a 2011-06-10 article: TIMEX3 DURATION P3W over "three weeks"; the
    # timeline's interval is kept apart: 2011-W20, week precision, anchored on the DCT, before it
    t = find("Three weeks earlier, the board met.", D(2011, 6, 10), "Three weeks")
    assert (t.text, t.type, t.value) == ("Three weeks", "DURATION", "P3W")
    assert (t.resolved, t.resolved_type, t.precision, t.anchor, t.relation) == ("2011-W20", "DATE", "week", "dct", "before")
    assert (t.date_start, t.date_end) == (D(2011, 5, 16), D(2011, 5, 22))
    t = find("He will retire five years from now.", D(2011, 6, 10), "five years")
    assert (t.text, t.type, t.value, t.resolved, t.relation) == ("five years", "DURATION", "P5Y", "2016", "after")


def test_ago_stays_inside_and_event_anchors_are_not_resolved():
    t = find("It closed three years ago.", D(2011, 6, 10), "three years")
    assert (t.text, t.type, t.value, t.resolved, t.relation) == ("three years ago", "DATE", "2008", "2008", None)
    t = find("He left two days before the vote.", D(2011, 6, 10), "two days")
    assert (t.text, t.type, t.value, t.relation, t.resolved, t.date_start) == ("two days", "DURATION", "P2D", "before", None, None)


def test_jsonl_carries_the_resolved_interval_as_extra_keys():
    inp = io.StringIO(json.dumps({"id": "a", "text": "Three weeks earlier, it rained.", "dct": "2011-06-10"}) + "\n")
    out = io.StringIO()
    assert run_jsonl(inp, out) == 0
    assert json.loads(out.getvalue())["timexes"] == [
        {"start": 0, "end": 11, "text": "Three weeks", "type": "DURATION", "value": "P3W", "resolved": "2011-W20",
         "date_start": "2011-05-16", "date_end": "2011-05-22", "precision": "week", "anchor": "dct", "relation": "before"}]


@pytest.mark.parametrize("text,needle,expected", [
    ("The raid began at 09:30 GMT.", "09:30", ("09:30 GMT", "TIME", "2011-06-08T09:30Z")),
    ("It starts at 18:00 UTC Friday.", "18:00", ("18:00 UTC Friday", "TIME", "2011-06-10T18:00Z")),
    ("It closes at 5 p.m. EST.", "5 p.m.", ("5 p.m. EST", "TIME", "2011-06-08T17:00")),
])
def test_clock_times_keep_their_zone(text, needle, expected):
    t = find(text, D(2011, 6, 8), needle)
    assert (t.text, t.type, t.value) == expected


@pytest.mark.parametrize("text,needle,expected", [
    ("The banks must wait at least 30 days.", "30 days", ("at least 30 days", "DURATION", "P30D", "EQUAL_OR_MORE")),
    ("But right now, prices are flat.", "now", ("now", "DATE", "PRESENT_REF", None)),
    ("Shares fell late yesterday.", "yesterday", ("late yesterday", "DATE", "2011-06-07", "END")),
    ("It lost $5 million, compared with a year-earlier loss.", "year-earlier", ("year-earlier", "DATE", "2010", None)),
    ("Sales rose in the year-ago third quarter.", "third quarter", ("the year-ago third quarter", "DATE", "2010-Q3", None)),
    ("Sales rose in the third-quarter period.", "third-quarter", ("third-quarter", "DATE", "2010-Q3", None)),
])
def test_extents_follow_timeml(text, needle, expected):
    t = find(text, D(2011, 6, 8), needle)
    assert (t.text, t.type, t.value, t.mod) == expected


def test_one_plausible_year_rule():
    from transforms.temporal.dates import plausible_year
    assert [plausible_year(y) for y in (999, 1000, 2200, 2201)] == [False, True, True, False]
    assert values("Signed on 1776-07-04 and 0999-01-02.") == [("1776-07-04", "DATE", "1776-07-04")]
    # a year whose era is written may be early (astronomical numbering: 44 BC = -43)
    assert [plausible_year(y, marked=True) for y in (-9999, -9998, 0, 999, 2200, 2201)] == \
        [False, True, True, True, True, False]


def interval_of(text: str, dct=D(2011, 6, 10)) -> list[tuple]:
    return [(t.text, t.type, t.value, t.date_start, t.date_end) for t in tag(text, dct)]


@pytest.mark.parametrize("text,expected", [
    # BC years: TimeML "BC" + four digits; no calendar interval (Python's date starts at year 1)
    ("Caesar died in 44 BC.", [("44 BC", "DATE", "BC0044", None, None)]),
    ("Rome was founded around 753 B.C. by legend.", [("753 B.C.", "DATE", "BC0753", None, None)]),
    ("The wall dates from 500 BCE.", [("500 BCE", "DATE", "BC0500", None, None)]),
    ("On March 15, 44 BC, Caesar died.", [("March 15, 44 BC", "DATE", "BC0044-03-15", None, None)]),
    ("It was built in the 5th century BC.", [("the 5th century BC", "DATE", "BC04", None, None)]),
    # years before 1000 with their era or after "the year": four digits, a real interval
    ("The town dates from 800 AD.", [("800 AD", "DATE", "0800", D(800, 1, 1), D(800, 12, 31))]),
    ("In AD 800 Charlemagne was crowned.", [("AD 800", "DATE", "0800", D(800, 1, 1), D(800, 12, 31))]),
    ("Rome fell in 476 A.D., the books say.", [("476 A.D.", "DATE", "0476", D(476, 1, 1), D(476, 12, 31))]),
    ("The abbey was founded in the year 650.", [("650", "DATE", "0650", D(650, 1, 1), D(650, 12, 31))]),
    ("In May 950 AD the king died.", [("May 950 AD", "DATE", "0950-05", D(950, 5, 1), D(950, 5, 31))]),
    # a range with the era written once, after the second year: both years are of that era
    ("He governed Egypt from 1354 to 1345 B.C.", [("1354", "DATE", "BC1354", None, None),
                                                  ("1345 B.C.", "DATE", "BC1345", None, None)]),
    ("It was built from 800 to 900 AD.", [("800", "DATE", "0800", D(800, 1, 1), D(800, 12, 31)),
                                          ("900 AD", "DATE", "0900", D(900, 1, 1), D(900, 12, 31))]),
    ("the 10th century", [("the 10th century", "DATE", "09", D(900, 1, 1), D(999, 12, 31))]),
    # without the era an early year is not tagged, and never moved into the publication year
    ("In May 950 the king died.", []),
    ("The treaty was signed on June 5, 650.", []),
    ("It was built in 650.", []),
    ("the 20th century ad campaign", [("the 20th century", "DATE", "19", D(1900, 1, 1), D(1999, 12, 31))]),
    # ... while a quantity after the month keeps the month in the publication year
    ("In May, 200 people came.", [("May", "DATE", "2011-05", D(2011, 5, 1), D(2011, 5, 31))]),
    ("In March 400 workers were laid off.", [("March", "DATE", "2011-03", D(2011, 3, 1), D(2011, 3, 31))]),
    ("On June 5, 650 people marched.", [("June 5", "DATE", "2011-06-05", D(2011, 6, 5), D(2011, 6, 5))]),
    ("an ad 30 seconds long", [("30 seconds", "DURATION", "PT30S", None, None)]),
])
def test_bc_and_early_years(text, expected):
    assert interval_of(text) == expected


def test_early_year_is_not_the_inferred_anchor():
    # without a publication date relative dates anchor on the latest plausible absolute date
    assert values("In March 1999 and in AD 800, last year") == [
        ("March 1999", "DATE", "1999-03"), ("AD 800", "DATE", "0800"), ("last year", "DATE", "1998")]


@pytest.mark.parametrize("text,needle,expected", [
    ("It will be done over the next few days.", "next few", ("the next few days", "DURATION", "PXD", None)),
    ("The system evolved over several years.", "several", ("several years", "DURATION", "PXY", None)),
    ("It lasted over a week.", "a week", ("over a week", "DURATION", "P1W", "MORE_THAN")),
    ("It is to be completed around Nov. 1.", "Nov. 1", ("around Nov. 1", "DATE", "1989-11-01", "APPROX")),
    ("He was shot around 7:15 p.m., police said.", "7:15", ("around 7:15 p.m.", "TIME", "1989-10-26T19:15", "APPROX")),
    ("Sales for the full year were flat.", "full year", ("the full year", "DATE", "1989", None)),
    ("For the year ended Sept. 30, it earned $5.", "the year", ("the year", "DURATION", "P1Y", None)),
    ("Net fell in the third quarter. In the 1988 period, it rose.", "1988", ("the 1988 period", "DATE", "1988-Q3", None)),
])
def test_news_periods_and_qualifiers(text, needle, expected):
    t = find(text, D(1989, 10, 26), needle)
    assert (t.text, t.type, t.value, t.mod) == expected


def test_ages_are_not_durations():
    assert values("Mr. Reupke, 52 years old, will retire.", D(1989, 10, 26)) == []


def test_quarter_without_year_follows_the_tense():
    # "the third quarter" in a May article about a coming plan is this year's Q3; in a report of
    # results, the last one; without a cue, the nearest
    assert find("The company plans to cut jobs in the third quarter.", D(2011, 5, 10), "third").value == "2011-Q3"
    assert find("Sales in the third quarter were flat.", D(2011, 5, 10), "third").value == "2010-Q3"
    assert find("In the third quarter, sales grow.", D(2011, 5, 10), "third").value == "2011-Q3"


def test_fiscal_quarter_named_by_its_last_day():
    # the TIMEX3 keeps the fiscal label; the resolved interval is the calendar quarter it covers
    t = find("Net income for the fiscal first quarter ended Sept. 30 rose.", D(1989, 10, 26), "fiscal first")
    assert (t.text, t.value, t.resolved, t.date_start, t.date_end) == (
        "the fiscal first quarter", "1989-Q1", "1989-Q3", D(1989, 7, 1), D(1989, 9, 30))
    t = find("For the second quarter ended Oct. 31, it lost money.", D(1989, 10, 26), "second quarter")
    assert (t.value, t.resolved) == ("1989-Q2", "1989-Q2")


@pytest.mark.parametrize("text,expected", [
    ("Sales peaked in '87 and fell.", [("'87", "DATE", "1987")]),
    ("It grew from '85 to '87, he said.", [("'85", "DATE", "1985"), ("'87", "DATE", "1987")]),
    ("The '87 crash hurt.", []),
])
def test_two_digit_years_need_a_cue(text, expected):
    assert values(text, D(1989, 10, 26)) == expected


@pytest.mark.parametrize("text,needle,expected", [
    ("Plants will be closed over the next year or so.", "next year", ("the next year or so", "DATE", "1990", "APPROX")),
    ("He stayed two weeks or so.", "two weeks", ("two weeks or so", "DURATION", "P2W", "APPROX")),
    ("Net rose for the fiscal-first quarter.", "first", ("the fiscal-first quarter", "DATE", "1989-Q1", None)),
    ("Sales rose from the lows of the early summer.", "summer", ("the early summer", "DATE", "1989-SU", "START")),
])
def test_approximations_and_determiners_inside(text, needle, expected):
    t = find(text, D(1989, 10, 26), needle)
    assert (t.text, t.type, t.value, t.mod) == expected


@pytest.mark.parametrize("text,expected", [
    ("It won't be profitable until 1994 or later.", ("1994 or later", "DATE", "1994", "ON_OR_AFTER")),
    ("Cash flow for 1990 and beyond is strong.", ("1990 and beyond", "DATE", "1990", "ON_OR_AFTER")),
])
def test_open_ended_years(text, expected):
    t = find(text, D(1989, 10, 26), expected[0][:4])
    assert (t.text, t.type, t.value, t.mod) == expected


@pytest.mark.parametrize("text,expected", [
    ("One person is killed.  January nineteen ninety-seven. Atlanta again.",
     [("January nineteen ninety-seven", "DATE", "1997-01")]),
    ("In London at mid-afternoon yesterday, shares rose.", [("mid-afternoon yesterday", "TIME", "1998-03-05TAF")]),
    ("By mid afternoon, officials said it was over.", [("mid afternoon", "TIME", "1998-03-06TAF")]),
    ("Two thousand troops arrived.", []),
])
def test_spoken_years_and_mid_day(text, expected):
    assert values(text, D(1998, 3, 6)) == expected


@pytest.mark.parametrize("text,expected", [
    ('Iraq was ready." Now, he says, it looks different.', []),
    ("Now, following asset sales, it is smaller.", []),
    ("Now the court has ruled.", [("Now", "DATE", "PRESENT_REF")]),
    ("It is now, he said, over.", [("now", "DATE", "PRESENT_REF")]),
    ("It was like the film ``High Noon.''", []),
    ("They met at noon.", [("noon", "TIME", "1998-03-06T12:00")]),
])
def test_discourse_markers_and_idioms_are_not_times(text, expected):
    assert values(text, D(1998, 3, 6)) == expected


@pytest.mark.parametrize("text,expected", [
    ("Kellogg's current share is believed to be 40%.", [("current", "DATE", "PRESENT_REF")]),
    ("Sales rose in the current quarter.", [("the current quarter", "DATE", "1989-Q4")]),
    ("The current account deficit widened.", []),
])
def test_current_alone_is_the_present(text, expected):
    assert values(text, D(1989, 10, 30)) == expected


@pytest.mark.parametrize("text,reference,relative", [
    # the latest date written out to the day wins over a later year: one date, for anchor and publication
    ("The shop opened on March 3, 2022. Sales doubled in 2023. It will expand again in June.",
     (dt.date(2022, 3, 3), "day"), ("June", "2022-06")),
    # no day: the latest coarser date anchors (and is no publication date)
    ("In 2019 the firm grew. In March it hired 40 people.", (dt.date(2019, 1, 1), "year"), ("March", "2019-03")),
    # dates outside the days a timeline holds never anchor
    ("Rome was founded in 753 BC. In March it rained.", None, ("March", "XXXX-03")),
])
def test_reference_date_of_a_text_without_publication_date(text, reference, relative):
    from transforms.temporal import reference_date

    timexes = tag(text)
    ref = reference_date(timexes)
    assert ((ref.date, ref.prec) == reference) if reference else ref is None
    assert [(t.text, t.value) for t in timexes if t.anchor == "inferred"] == [relative]


@pytest.mark.parametrize("text, expected", [
    ("The group included former Midnight Oil rock star Peter Garrett.", []),
    ("Ed Psaltis, skipper of AFR Midnight Rambler, said so.", []),
    ("He spoke on The Today Show.", []),
    ("He read it in USA Today on Monday.", ["Monday"]),
    ("This is VOA Today.", []),
    ("I would have chosen the people of tomorrow.", []),   # the future, not a day
    ("It ends at Midnight Friday.", ["Midnight Friday"]),
    ("Today Fiji votes.", ["Today"]),
    ('"Today Lin Dan is out of order," Chen said.', ["Today"]),
    ("Stocks will rise Today.", ["Today"]),
])
def test_a_fixed_word_running_on_into_a_capitalised_word_is_part_of_a_name(text, expected):
    assert [t.text for t in tag(text, D(2005, 12, 16))] == expected


def test_a_dotted_month_abbreviation_may_run_into_its_day():
    text = "Prices rose on Nov.6 and Nov. 7, and fell on Jan.5, 2006."
    assert [(t.text, t.value) for t in tag(text, D(2006, 11, 14))] == [
        ("Nov.6", "2006-11-06"), ("Nov. 7", "2006-11-07"), ("Jan.5, 2006", "2006-01-05")]
    assert tag("It weighs Nov6 grams.", D(2006, 11, 14)) == []  # no dot, no date


def test_since_year_end_is_the_last_year_end_passed():
    t = find("The change is since year-end.", D(1989, 10, 30), "year-end")
    assert (t.value, t.mod) == ("1988", "END")  # the end of a year, as TimeML writes "the end of 1988"
    t = find("It will be done by year-end.", D(1989, 10, 30), "year-end")
    assert (t.value, t.mod, t.date_end) == ("1989", "END", D(1989, 12, 31))


@pytest.mark.parametrize("text, years", [
    ("The ADI 2006 report calls for reforms.", []),           # a year inside a name is no date
    ("Fans of Euro 2004 cheered the Mirage 2000.", []),
    ("The Companies Act 1995 applies.", []),
    ("Navigation Mixte's 1989 profit rose.", ["1989"]),       # a possessive is not a name
    ("Sales in fiscal 1990 rose; he joined IBM in 1985.", ["fiscal 1990", "1985"]),
    ("Shanghai 2002 was a success.", ["2002"]),               # first word of its sentence: may be a date
])
def test_a_year_right_after_a_capitalised_word_in_mid_sentence_belongs_to_a_name(text, years):
    assert [t.text for t in tag(text, D(2006, 11, 2))] == years


def test_a_fiscal_quarter_keeps_its_label_and_resolves_to_the_calendar_with_what_follows_it():
    text = ("Sun said it earned $5.2 million in the fiscal first quarter. Sun reported sales of $538.5 million for the "
            "quarter ended Sept. 29, up 39% from a year earlier. In the 1988 period, the company earned $20.6 million.")
    got = {t.text: (t.value, t.resolved) for t in tag(text, D(1989, 10, 26))}
    assert got["the quarter"] == ("1989-Q1", "1989-Q3")       # TimeML: the label; the timeline: the calendar
    assert got["a year earlier"] == ("1988-Q1", "1988-Q3")
    assert got["the 1988 period"] == ("1988-Q1", "1988-Q3")
    # without a quarter under discussion, "the quarter ended Sept. 29" is that calendar quarter
    assert find("Sales for the quarter ended Sept. 29 rose.", D(1989, 10, 26), "the quarter").value == "1989-Q3"


@pytest.mark.parametrize("text, month, value", [
    ("Brent crude for January delivery was steady at 62.12 dollars.", "January", "2007-01"),  # a contract month
    ("The March contract fell 40 cents.", "March", "2007-03"),
    ("Oil for delivery in February rose.", "February", "2007-02"),
    ("Prices rose in January.", "January", "2006-01"),  # not a contract: the tense decides
])
def test_a_futures_contract_month_is_the_coming_one(text, month, value):
    assert find(text, D(2006, 12, 15), month).value == value


@pytest.mark.parametrize("text, expr, value", [
    ("Growth should pick up in the latter half of the year.", "the latter half of the year", "1997-H2"),
    ("Sales rose in the last half of 1989.", "the last half of 1989", "1989-H2"),
])
def test_the_closing_half_of_a_year(text, expr, value):
    t = find(text, D(1997, 4, 23), expr)
    assert (t.text, t.value) == (expr, value)


@pytest.mark.parametrize("text, span, value, end", [
    ("the 1997-98 Asian financial crisis", "1997-98", "1997", dt.date(1998, 12, 31)),
    ("the 2005/06 season", "2005/06", "2005", dt.date(2006, 12, 31)),
    ("from 1978-84.", "1978-84", "1978", dt.date(1984, 12, 31)),
])
def test_a_year_range_with_a_two_digit_end_is_one_timex_to_the_end_year(text, span, value, end):
    (t,) = tag(text, dt.date(2006, 11, 13))
    assert (t.text, t.type, t.value, t.date_start, t.date_end) == (span, "DATE", value, dt.date(int(value), 1, 1), end)


@pytest.mark.parametrize("text, span, value", [   # hostile run 4
    ("The plan was approved in 2022-W10.", "2022-W10", "2022-W10"),
    ("Sales fell in week 10 of 2022.", "week 10 of 2022", "2022-W10"),
    ("Prices rose on 2022/03/07.", "2022/03/07", "2022-03-07"),
    ("Prices rose on 2022.03.07.", "2022.03.07", "2022-03-07"),
    ("Revenue rose in Q3 FY23.", "Q3 FY23", "2023-Q3"),
])
def test_iso_weeks_year_first_dates_and_fiscal_quarter_codes(text, span, value):
    assert values(text, dt.date(2022, 6, 15)) == [(span, "DATE", value)]


def test_no_date_in_a_version_number_or_a_season_week():
    assert values("Version 2022.1.5 was released.", dt.date(2022, 6, 15)) == []
    assert values("It is week 10 of the season.", dt.date(2022, 6, 15)) == []


def test_this_weekend_in_a_past_clause_is_the_one_just_past():
    assert find("The firm held a sale this weekend, it said.", dt.date(2022, 6, 15), "this weekend").value == "2022-W23-WE"
    assert find("The firm will hold a sale this weekend.", dt.date(2022, 6, 15), "this weekend").value == "2022-W24-WE"


@pytest.mark.parametrize("text, needle, day, relation", [
    ("The deal closed two days before Christmas.", "two days", dt.date(2021, 12, 23), "before"),
    ("He left a week after March 3.", "a week", dt.date(2022, 3, 10), "after"),
    ("Eight trading days after Oct. 12, the index fell.", "Eight trading days", dt.date(2021, 10, 22), "after"),
    ("The deal closed 3 months after Oct. 12.", "3 months", dt.date(2022, 1, 12), "after"),
    ("It ended one month after Jan. 31, 2020.", "one month", dt.date(2020, 2, 29), "after"),   # the month's last day
    ("It began a year before March 3, 2021.", "a year", dt.date(2020, 3, 3), "before"),
])
def test_a_duration_counted_from_a_written_day_resolves_to_its_own_day(text, needle, day, relation):
    t = find(text, dt.date(2022, 6, 15), needle)
    assert (t.type, t.date_start, t.relation) == ("DURATION", day, relation)


def test_a_duration_after_in_in_a_future_clause_is_counted_from_the_publication_date():
    t = find("The law takes effect in two weeks.", dt.date(2022, 6, 15), "two weeks")
    assert (t.type, t.value, t.resolved, t.relation) == ("DURATION", "P2W", "2022-W26", "after")
    assert find("Sales rose 5% in two weeks.", dt.date(2022, 6, 15), "two weeks").resolved is None  # a length


@pytest.mark.parametrize("text, second", [
    ("The museum is open Monday through Friday.", dt.date(2022, 6, 17)),       # the Friday after that Monday
    ("The trial was adjourned Monday until Wednesday.", dt.date(2022, 6, 15)),
    ("Statements were made Friday and Thursday.", None),                      # "and": no range
    ("The talks run Monday to Wednesday.", dt.date(2022, 6, 15)),              # "to" without "from"
    ("The summit on Friday and Saturday will open.", dt.date(2022, 6, 18)),    # the next day of a list
])
def test_the_second_weekday_of_a_range_follows_the_first(text, second):
    ts = tag(text, dt.date(2022, 6, 13) if "summit" not in text else dt.date(2022, 6, 12))
    assert len(ts) == 2
    if second is not None:
        assert ts[1].date_start == second and ts[1].date_start >= ts[0].date_start


@pytest.mark.parametrize("text, value", [
    ("The vote is on the 15th.", "2022-06-15"),
    ("The deal was signed on the 28th, he said.", "2022-05-28"),   # past: the month before
    ("It will open on the 3rd.", "2022-07-03"),                    # future: the month after
    ("He lives on the 15th floor.", None),
])
def test_on_the_nth_is_a_day_of_the_month_under_way(text, value):
    found = [t.value for t in tag(text, dt.date(2022, 6, 15))]
    assert found == ([value] if value else [])


def test_clock_times_right_before_a_day_take_that_day():
    ts = tag("Supplies will be turned off at 10:00 am in Moscow (0700 GMT) on Monday.", dt.date(2006, 12, 28))
    assert [t.value for t in ts] == ["2007-01-01T10:00", "2007-01-01T07:00Z", "2007-01-01"]
    ts = tag("The patrol was hit at about 8:25 am (0525 GMT) Nov. 17, the military said.", dt.date(2005, 11, 18))
    assert [t.value for t in ts][:2] == ["2005-11-17T08:25", "2005-11-17T05:25Z"]


@pytest.mark.parametrize("text, values_", [   # hostile run 5
    ("The summit runs from 3 to 5 March 2022.", ["2022-03-03", "2022-03-05"]),
    ("The summit ran 3-5 March 2022.", ["2022-03-03", "2022-03-05"]),
    ("He scored 3-5 in March.", ["2022-03"]),
])
def test_day_first_ranges(text, values_):
    assert [t.value for t in tag(text, dt.date(2022, 6, 15))] == values_


def test_the_end_of_a_day_range_is_not_before_its_start():
    assert [t.value for t in tag("The sale runs Dec 1 - Dec 15.", dt.date(2022, 6, 15))] == ["2022-12-01", "2022-12-15"]



def test_counting_off_the_calendar_leaves_the_duration_unresolved():   # hostile run 5: it crashed the document
    ts = tag("It happened two days before Jan. 1, AD 1.", dt.date(2022, 6, 15))
    assert ts[0].type == "DURATION" and ts[0].resolved is None
    assert tag("The law takes effect in two weeks.", dt.date(9999, 12, 30))[0].resolved is None


def test_jsonl_answers_stay_json_for_a_nan_id():
    out = io.StringIO()
    run_jsonl(io.StringIO('{"id": NaN, "text": "On Monday.", "dct": "2022-03-05"}\n'), out)
    assert json.loads(out.getvalue())["id"] == "nan"


def test_last_weekday_and_a_later_weekday_are_no_range():
    ts = tag("After the voting last Wednesday and Tuesday's run-offs, the party won.", dt.date(2005, 11, 17))
    assert [t.date_start for t in ts][1] == dt.date(2005, 11, 15)        # this week's Tuesday, not next week's


@pytest.mark.parametrize("text, value", [
    ("It exploded on Nov. 13 last year.", "2005-11-13"),
    ("It opened on 13 November last year.", "2005-11-13"),
    ("It closes on March 3 next year.", "2007-03-03"),
    ("It opened on Monday, Nov. 13 this year.", "2006-11-13"),
])
def test_a_day_with_last_this_or_next_year_is_one_date_in_that_year(text, value):
    ts = tag(text, dt.date(2006, 11, 24))
    assert [(t.value, t.anchor) for t in ts] == [(value, "dct")]


def test_was_due_to_is_a_plan_ahead_of_the_report():
    ts = tag("The flag was due to return to Italy on Saturday, according to reports on Thursday.", dt.date(2006, 11, 30))
    assert [t.value for t in ts] == ["2006-12-02", "2006-11-30"]


@pytest.mark.parametrize("text, typ, value", [
    ("It was one of the events of the past century.", "DURATION", "P100Y"),   # the last hundred years
    ("Over the past decade, sales rose.", "DURATION", "P10Y"),
    ("It was built in the last century.", "DATE", "18"),                        # the previous century
])
def test_the_past_decade_and_century_are_spans_up_to_now(text, typ, value):
    (t,) = tag(text, dt.date(1989, 11, 1))
    assert (t.type, t.value) == (typ, value)


@pytest.mark.parametrize("text, value", [
    ("Fiore headed the only goal six minutes into the second half.", None),    # a game's half
    ("He scored in the first half of the match.", None),
    ("Sales rose in the second half.", "2006-H2"),
    ("Profit fell in the first half of 2006.", "2006-H1"),
])
def test_a_half_without_its_year_in_a_game_is_no_date(text, value):
    assert [t.value for t in tag(text, dt.date(2006, 12, 30)) if t.type == "DATE"] == ([value] if value else [])


@pytest.mark.parametrize("text, values", [   # hostile run 6
    ("The death toll rose on June 3 to 27, officials said.", ["2022-06-03"]),     # a figure, not a day
    ("He was sentenced on June 3 to 25 years in prison.", ["2022-06-03"]),
    ("The summit ran June 3 to 5.", ["2022-06-03", "2022-06-05"]),
])
def test_a_number_after_a_day_and_to_is_a_day_only_in_a_range(text, values):
    assert [t.value for t in tag(text, dt.date(2022, 6, 15)) if t.type == "DATE"] == values


@pytest.mark.parametrize("text, values", [   # hostile run 6: the range's end never before its start
    ("Sales rose from November to February.", ["2020-11", "2021-02"]),            # past: the last such range
    ("The season will run from November to February.", ["2022-11", "2023-02"]),   # future: the next one
    ("Sales rose from February to November.", ["2021-02", "2021-11"]),
])
def test_a_range_of_months_ends_after_it_starts(text, values):
    assert [t.value for t in tag(text, dt.date(2022, 1, 10))] == values


def test_the_year_to_a_month_is_a_year_long_period():   # hostile run 6: it took the publication year
    ts = tag("Profit rose in the year to March 1998.", dt.date(2022, 6, 15))
    assert [(t.text, t.type, t.value) for t in ts] == [("the year", "DURATION", "P1Y"), ("March 1998", "DATE", "1998-03")]
    assert [t.type for t in tag("Profit rose in the year to date.", dt.date(2022, 6, 15))] == ["DATE"]


def test_a_wrong_weekday_does_not_move_a_past_date_into_the_future():   # hostile run 6, finding 3
    (t,) = tag("Voting was held on Saturday, June 10.", dt.date(2022, 6, 15))   # June 10, 2022 is a Friday
    assert t.value == "2022-06-10"
    (t,) = tag("The vote was held Monday, Oct. 26.", dt.date(2022, 6, 15))      # a Monday in 2021: the weekday decides
    assert t.value == "2021-10-26"
