"""Event assembly (transforms.extract.events): rows of events / event_mentions / event_markets.

Unit tests run with a monkeypatched tagger (hand-made Timex objects); the seed acceptance tests at the
end run the real tagger (transforms.temporal) on hand-cleaned seed documents.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from transforms.extract import events
from transforms.lake import schema
from transforms.ingest.sources import SourceFile, read_source
from transforms.ingest.models import Document

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
D = dt.date

from transforms.temporal import Timex


def tx(text: str, phrase: str, value: str, start: D | None, end: D | None, precision: str | None = "day",
       anchor: str = "absolute", type_: str = "DATE", occurrence: int = 0) -> Timex:
    pos = [m.start() for m in re.finditer(re.escape(phrase), text)][occurrence]
    return Timex(pos, pos + len(phrase), phrase, type_, value, precision, start, end, anchor)


def doc(text: str, doc_id: str = "d1", title: str | None = None, published: D | None = None) -> Document:
    return Document(doc_id=doc_id, source="x.txt", source_root="/src", format="txt", text=text, title=title,
                    published=published)


def fake_tag(monkeypatch, timexes):
    monkeypatch.setattr(events, "tag", lambda text, dct=None: list(timexes))


def markets_of(result, event) -> dict[str, tuple[str, str]]:
    return {r["market"]: (r["role"], r["basis"]) for r in result["event_markets"]
            if r["event_id"] == event["event_id"]}


def by_text(result, date_text):
    (e,) = [e for e in result["events"] if e["date_text"] == date_text]
    return e


# ----------------------------------------------------------------------------------- row contract

TEXT = ("Alibaba said it would stop deliveries to Russia.\n\n"
        "In November 2020, India's Ministry of Electronics and Information Technology banned the AliExpress "
        "mobile phone app along with 42 other Chinese apps. The ban lasted for five years.\n\n"
        "Since 2013, AliExpress has grown. Recently it grew every day.")


def contract_timexes(text):
    return [
        tx(text, "November 2020", "2020-11", D(2020, 11, 1), D(2020, 11, 30), "month"),
        tx(text, "five years", "P5Y", None, None, None, type_="DURATION"),
        tx(text, "2013", "2013", D(2013, 1, 1), D(2013, 12, 31), "year"),
        tx(text, "Recently", "PAST_REF", None, None, None),
        tx(text, "every day", "P1D", None, None, None, type_="SET"),
    ]


def test_rows_have_exactly_the_schema_columns_and_types(monkeypatch):
    fake_tag(monkeypatch, contract_timexes(TEXT))
    r = events.extract(doc(TEXT), "run-1")
    assert set(r) == {"events", "event_mentions", "event_markets"}
    for table in r:
        names = schema.TABLES[table].names
        assert r[table], table
        for row in r[table]:
            assert list(row) == names, table
    for e in r["events"]:
        assert isinstance(e["date_start"], dt.date) and isinstance(e["date_end"], dt.date)
        assert isinstance(e["actors"], list) and all(isinstance(a, str) for a in e["actors"])
        assert e["precision"] in schema.PRECISIONS and e["anchor"] in schema.ANCHORS
        assert e["timex_type"] in ("DATE", "TIME") and 0.0 <= e["confidence"] <= 1.0
        assert TEXT[e["char_start"]:e["char_end"]] == e["date_text"]
        assert TEXT[e["sentence_start"]:e["sentence_end"]] == e["sentence"]
        assert e["sentence_start"] <= e["char_start"] < e["char_end"] <= e["sentence_end"]
        assert re.fullmatch(r"[0-9a-f]{16}", e["event_id"]) and e["run_id"] == "run-1"
    for m in r["event_markets"]:
        assert m["role"] in schema.MARKET_ROLES and m["basis"] in schema.MARKET_BASES
    import pyarrow as pa
    for table, rows in r.items():                       # the lake writer can build the tables
        pa.Table.from_pylist(rows, schema=schema.TABLES[table])


def test_only_resolved_dates_and_times_become_events(monkeypatch):
    fake_tag(monkeypatch, contract_timexes(TEXT))
    r = events.extract(doc(TEXT), "r")
    assert [e["date_text"] for e in r["events"]] == ["November 2020", "2013"]


def test_event_ids_are_stable_across_runs(monkeypatch):
    fake_tag(monkeypatch, contract_timexes(TEXT))
    a = events.extract(doc(TEXT), "run-a")
    b = events.extract(doc(TEXT), "run-b")
    strip = lambda r: [{k: v for k, v in row.items() if k != "run_id"} for t in r for row in r[t]]
    assert strip(a) == strip(b)
    e = a["events"][0]
    assert e["event_id"] == events.event_id_for("d1", e["char_start"], e["char_end"])
    c = events.extract(doc(TEXT, doc_id="d2"), "run-a")
    assert c["events"][0]["event_id"] != e["event_id"]


def test_no_dates_no_rows(monkeypatch):
    fake_tag(monkeypatch, [])
    assert events.extract(doc("Nothing dated here."), "r") == {"events": [], "event_mentions": [],
                                                                "event_markets": []}


def test_place_versus_origin_and_actors(monkeypatch):
    fake_tag(monkeypatch, contract_timexes(TEXT))
    r = events.extract(doc(TEXT), "r")
    e = by_text(r, "November 2020")
    assert markets_of(r, e) == {"IN": ("institution", "sentence"), "CN": ("origin", "sentence")}
    assert e["event_type"] == "ban" and e["trigger"] == "banned"
    assert e["actors"] == ["Ministry of Electronics and Information Technology (IN)", "AliExpress"]
    assert e["confidence"] == 1.0


def test_paragraph_fallback(monkeypatch):
    text = ("Since 2013, AliExpress has transitioned fully to a consumer platform. It focused on key markets "
            "such as Russia. The delivery time of Russian postal services was reduced.\n\n"
            "Elsewhere China and Brazil and China again.")
    fake_tag(monkeypatch, [tx(text, "2013", "2013", D(2013, 1, 1), D(2013, 12, 31), "year")])
    r = events.extract(doc(text), "r")
    e = r["events"][0]
    assert markets_of(r, e) == {"RU": ("place", "paragraph")}
    assert e["confidence"] == pytest.approx(0.75)


def test_document_fallback_uses_the_title(monkeypatch):
    text = "The shop opened in 2019.\n\nIt sold cookies."
    fake_tag(monkeypatch, [tx(text, "2019", "2019", D(2019, 1, 1), D(2019, 12, 31), "year")])
    r = events.extract(doc(text, title="A Russian store in China"), "r")
    assert {k: v[1] for k, v in markets_of(r, r["events"][0]).items()} == {"CN": "document", "RU": "document"}
    r = events.extract(doc(text), "r")                   # no market anywhere: no market rows, low confidence
    assert r["event_markets"] == [] and r["events"][0]["confidence"] == pytest.approx(0.4)


def test_clause_restricts_competing_markets(monkeypatch):
    text = "In 2021 the firm entered Brazil, while rivals left Mexico in 2019 after losses."
    fake_tag(monkeypatch, [tx(text, "2021", "2021", D(2021, 1, 1), D(2021, 12, 31), "year"),
                           tx(text, "2019", "2019", D(2019, 1, 1), D(2019, 12, 31), "year")])
    r = events.extract(doc(text), "r")
    assert markets_of(r, by_text(r, "2021")) == {"BR": ("place", "clause")}
    assert by_text(r, "2021")["event_type"] == "expansion"
    assert markets_of(r, by_text(r, "2019")) == {"MX": ("place", "clause")}
    assert by_text(r, "2019")["event_type"] == "exit"


def test_language_only_markets_are_not_event_markets(monkeypatch):
    text = ("AliExpress is big in Russia.\n\nAs of 2016 AliExpress ran websites in English, Spanish, Korean, "
            "Dutch and other languages.")
    fake_tag(monkeypatch, [tx(text, "2016", "2016", D(2016, 1, 1), D(2016, 12, 31), "year")])
    r = events.extract(doc(text), "r")
    assert markets_of(r, r["events"][0]) == {"RU": ("place", "document")}


def test_same_happening_twice_is_one_event_with_two_mentions(monkeypatch):
    text = ("AliExpress said its operations in Russia will continue, reminding Russians that a sale is due to "
            "start on June 1.\n\n“PS And on June 1st the sale also starts,” read the update on Russian social "
            "media VKontakte.\n\nOn June 1 a court in Moscow ruled on another case.")
    fake_tag(monkeypatch, [
        tx(text, "June 1", "2024-06-01", D(2024, 6, 1), D(2024, 6, 1)),
        tx(text, "June 1st", "2024-06-01", D(2024, 6, 1), D(2024, 6, 1)),
        tx(text, "June 1", "2024-06-01", D(2024, 6, 1), D(2024, 6, 1), occurrence=2),
    ])
    r = events.extract(doc(text), "r")
    sales = [e for e in r["events"] if e["event_type"] == "sale"]
    assert len(sales) == 1 and sales[0]["mentions"] == 2
    sale = sales[0]
    assert sale["date_text"] == "June 1" and sale["char_start"] == text.index("June 1")
    assert {k for k, (role, _) in markets_of(r, sale).items() if role != "origin"} == {"RU"}
    ms = [m for m in r["event_mentions"] if m["event_id"] == sale["event_id"]]
    assert [m["date_text"] for m in ms] == ["June 1", "June 1st"]
    assert len(r["events"]) == 2 and len(r["event_mentions"]) == 3     # the court ruling stays separate


def test_incompatible_markets_are_not_merged(monkeypatch):
    text = "A sale in Brazil starts on June 1.\n\nA sale in Japan starts on June 1 too."
    fake_tag(monkeypatch, [tx(text, "June 1", "2024-06-01", D(2024, 6, 1), D(2024, 6, 1)),
                           tx(text, "June 1", "2024-06-01", D(2024, 6, 1), D(2024, 6, 1), occurrence=1)])
    r = events.extract(doc(text), "r")
    assert [e["mentions"] for e in r["events"]] == [1, 1]


def test_confidence_follows_anchor(monkeypatch):
    text = "Sales in Russia rose in March. Sales in Russia rose in 2020."
    fake_tag(monkeypatch, [
        tx(text, "March", "2021-03", D(2021, 3, 1), D(2021, 3, 31), "month", anchor="inferred"),
        tx(text, "2020", "2020", D(2020, 1, 1), D(2020, 12, 31), "year"),
    ])
    r = events.extract(doc(text), "r")
    assert by_text(r, "March")["confidence"] < by_text(r, "2020")["confidence"] == 1.0


def test_time_timex_and_missing_precision(monkeypatch):
    text = "The sale in Russia starts at 10:00 on June 1, 2024."
    fake_tag(monkeypatch, [Timex(text.index("10:00"), text.index("10:00") + len("10:00 on June 1, 2024"),
                                 "10:00 on June 1, 2024", "TIME", "2024-06-01T10:00", None,
                                 D(2024, 6, 1), D(2024, 6, 1), "absolute")])
    r = events.extract(doc(text), "r")
    assert r["events"][0]["precision"] == "time" and r["events"][0]["timex_type"] == "TIME"


# ----------------------------------------------------------------------------------- seed documents

def seed_doc(name: str) -> Document:
    """The seed as the ingest stage hands it over (boilerplate removed, header moved to metadata)."""
    path = SEEDS / name
    st = path.stat()
    (doc,) = read_source(SourceFile(str(SEEDS), name, st.st_size, st.st_mtime_ns), 10**8)
    return doc


def test_seed_cleaning_keeps_offsets_consistent():
    d = seed_doc("000_5486dea1e26f082a.txt")
    assert "Advertisement" not in d.text and "Other Topics" not in d.text and "presidential" not in d.text
    assert "Ctrl + Enter" not in d.text
    d = seed_doc("003_0418d8d9e7bec456.txt")
    assert d.text.startswith("Chinese e-commerce giant") and "console.log" not in d.text


def _seed_fake(monkeypatch, d: Document, dates):
    fake_tag(monkeypatch, [tx(d.text, *spec[:4], **spec[4]) if len(spec) > 4 else tx(d.text, *spec)
                           for spec in dates])
    return events.extract(d, "seed")


def test_seed_001_markets_with_hand_made_timexes(monkeypatch):
    d = seed_doc("001_dbc6307a8822ead6.txt")
    r = _seed_fake(monkeypatch, d, [
        ("2010", "2010", D(2010, 1, 1), D(2010, 12, 31), {"precision": "year"}),
        ("March 2024", "2024-03", D(2024, 3, 1), D(2024, 3, 31), {"precision": "month"}),
        ("2013", "2013", D(2013, 1, 1), D(2013, 12, 31), {"precision": "year"}),
        ("September 25th, 2024", "2024-09-25", D(2024, 9, 25), D(2024, 9, 25)),
        ("November 2020", "2020-11", D(2020, 11, 1), D(2020, 11, 30), {"precision": "month"}),
        ("2022", "2022", D(2022, 1, 1), D(2022, 12, 31), {"precision": "year"}),
        ("November 2023", "2023-11", D(2023, 11, 1), D(2023, 11, 30), {"precision": "month"}),
    ])
    _check_001(r)


def _places(r, e) -> set[str]:
    return {c for c, (role, _) in markets_of(r, e).items() if role != "origin"}


def _check_001(r):
    assert _places(r, by_text(r, "November 2020")) == {"IN"}
    assert markets_of(r, by_text(r, "November 2020")).get("CN", ("origin",))[0] == "origin"
    assert _places(r, by_text(r, "2022")) == {"US"}
    assert _places(r, by_text(r, "November 2023")) == {"EU"}
    assert _places(r, by_text(r, "September 25th, 2024")) == {"KR"}
    assert _places(r, by_text(r, "2013")) == {"RU"}
    assert _places(r, by_text(r, "March 2024")) == {"GLOBAL"}
    assert by_text(r, "November 2020")["event_type"] == "ban"
    assert by_text(r, "November 2023")["event_type"] == "investigation"
    assert by_text(r, "2022")["event_type"] == "regulatory"
    assert by_text(r, "March 2024")["event_type"] == "metric"


# ---------------------------------------------------------------------- seeds with the real tagger

@pytest.fixture(scope="module")
def seeds():
    return {n[:3]: events.extract(seed_doc(n), "seed") for n in
            ("000_5486dea1e26f082a.txt", "001_dbc6307a8822ead6.txt", "002_85970479c313b527.txt",
             "003_0418d8d9e7bec456.txt")}


def test_seed_001_every_event_has_the_right_market(seeds):
    _check_001(seeds["001"])


def test_seed_001_no_market_only_named_as_a_language(seeds):
    r = seeds["001"]
    language_only = {"ES", "NL", "FR", "IT", "DE", "PL", "TR", "PT", "ID", "UA", "VN", "JP", "TH", "GB"}
    assert not {m["market"] for m in r["event_markets"]} & language_only
    websites = [e for e in r["events"] if "websites in English" in e["sentence"]]
    assert websites
    for e in websites:                                  # its markets come from elsewhere in the document
        assert all(basis != "sentence" for _, basis in markets_of(r, e).values())


def test_seed_002_yesterday_march_2_and_last_year(seeds):
    r = seeds["002"]
    e = by_text(r, "yesterday March 2")
    assert e["date_start"] == D(2022, 3, 2)
    assert {"CN", "RU"} <= set(markets_of(r, e))
    e = by_text(r, "Last year")
    assert e["timex"] == "2021" and e["event_type"] == "boycott"
    assert _places(r, e) == {"CN"}


def test_seed_003_jerusalem_post_report_is_palestine(seeds):
    r = seeds["003"]
    e = by_text(r, "December 27")
    assert e["date_start"] == D(2021, 12, 27) and e["event_type"] == "report"
    assert _places(r, e) == {"PS"} and "IL" not in markets_of(r, e)
    assert "Jerusalem Post" in e["actors"]
    e = by_text(r, "October 25, 2018")
    assert _places(r, e) == {"IL"} and "Jack Ma" in e["actors"]


def test_seed_000_june_1_sale_is_one_event_in_russia(seeds):
    r = seeds["000"]
    sales = [e for e in r["events"] if e["event_type"] == "sale"]
    assert len(sales) == 1
    sale = sales[0]
    assert sale["mentions"] == 2 and (sale["date_start"].month, sale["date_start"].day) == (6, 1)
    assert _places(r, sale) == {"RU"}
    assert sorted(m["date_text"] for m in r["event_mentions"] if m["event_id"] == sale["event_id"]) == \
        ["June 1", "June 1st"]


def test_seed_rows_build_arrow_tables(seeds):
    import pyarrow as pa
    for r in seeds.values():
        for table, rows in r.items():
            pa.Table.from_pylist(rows, schema=schema.TABLES[table])
        ids = [e["event_id"] for e in r["events"]]
        assert len(ids) == len(set(ids))
        assert {m["event_id"] for m in r["event_mentions"]} == set(ids)
        assert sum(e["mentions"] for e in r["events"]) == len(r["event_mentions"])


@pytest.mark.parametrize("sentence,date,places", [
    ("Tell us about the sale on June 1 in Russia.", "June 1", {"RU"}),
    ("On June 1, Michael Jordan visited Moscow.", "June 1", {"RU"}),
    ("On June 1, sellers in Tbilisi, Georgia joined the platform.", "June 1", {"GE"}),
    ("On June 1, the warehouse in Atlanta, Georgia opened.", "June 1", {"US"}),
    ("On June 1, Turkey sandwiches sold out in Japan.", "June 1", {"JP"}),
    ("On June 1, the Kyiv Post reported record sales in Poland.", "June 1", {"PL"}),
    ("On June 1, the site added pages in Korean, Thai and Polish for buyers in Brazil.", "June 1", {"BR"}),
    ("On June 1, a China-foreign joint venture opened the store.", "June 1", {"CN"}),
    ("On June 1, Chinese brands flooded the Brazilian market.", "June 1", {"BR"}),
    ("On June 1, Brussels fined the marketplace.", "June 1", {"EU"}),
])
def test_adversarial_sentences_get_the_right_place(monkeypatch, sentence, date, places):
    fake_tag(monkeypatch, [tx(sentence, date, "2024-06-01", D(2024, 6, 1), D(2024, 6, 1))])
    r = events.extract(doc(sentence), "r")
    assert _places(r, r["events"][0]) == places


def test_a_sentence_naming_dates_by_the_hundred_is_a_list_bounded_and_noted():
    # "'90s '90s ..." or a column of ISO dates: 2,000 dates in two "sentences" (the segmenter cuts at ~1,000
    # characters); only the first MAX_DATES_PER_SENTENCE of each become events, and the document says so
    d = doc("'90s " * 400 + "\n\nIn May 2021 the shop opened in Moscow.", published=D(2022, 3, 3))
    result = events.extract(d, "r")
    n = events.MAX_DATES_PER_SENTENCE
    assert sum(r["date_text"] == "'90s" for r in result["events"]) <= 2 * n + n
    assert any(r["date_text"] == "May 2021" for r in result["events"])
    assert len(d.notes) == 1 and "were not made events" in d.notes[0]


def test_a_date_the_lake_cannot_hold_is_no_event_and_the_document_says_so():
    d = doc("The basilica was founded in the year 325 and rebuilt in 555 AD, the city said on 3 March 2021.",
            published=D(2021, 3, 5))
    result = events.extract(d, "r")
    assert [r["date_text"] for r in result["events"]] == ["3 March 2021"]
    assert d.notes == ["2 dates outside the timeline's range (1000-2100) are no events: '325', '555 AD'"]
    one = doc("The church was founded in the year 325, the city said on 3 March 2021.", published=D(2021, 3, 5))
    events.extract(one, "r")
    assert one.notes == ["1 date outside the timeline's range (1000-2100) is no event: '325'"]


@pytest.mark.parametrize("text, expected", [
    ("The Asian Games will run December 1-15 in Doha.", [("December 1-15", "2006-12-01", D(2006, 12, 1), D(2006, 12, 15))]),
    ("He killed 13 women between 1975 and 1980.", [("1975 and 1980", "1975", D(1975, 1, 1), D(1980, 12, 31))]),
    ("Sales rose from May to July.", [("May to July", "2006-05", D(2006, 5, 1), D(2006, 7, 31))]),
    ("He spoke on Monday and on Tuesday.", [("Monday", "2006-11-13", D(2006, 11, 13), D(2006, 11, 13)),
                                            ("Tuesday", "2006-11-14", D(2006, 11, 14), D(2006, 11, 14))]),
    ("He spoke on Monday and Tuesday.", [("Monday", "2006-11-13", D(2006, 11, 13), D(2006, 11, 13)),
                                         ("Tuesday", "2006-11-14", D(2006, 11, 14), D(2006, 11, 14))]),
])
def test_a_range_of_dates_is_one_event_from_its_start_to_its_end(text, expected):
    rows = events.extract(doc(text, published=D(2006, 11, 13)), "r1")["events"]
    assert [(e["date_text"], e["timex"], e["date_start"], e["date_end"]) for e in rows] == expected
    for e in rows:
        assert text[e["char_start"]:e["char_end"]] == e["date_text"]


@pytest.mark.parametrize("text, expected", [
    ("PARIS, March 3 (Reuters) - France's competition authority fined Google on Wednesday.",
     [("Wednesday", "regulatory")]),                                  # the dateline is the report's day, ...
    ("Paris, March 3, 2022 -- The regulator fined Google on March 2, 2022.", [("March 2, 2022", "regulatory")]),
    ("BEIJING, March 3 (Xinhua) -- China will raise fuel prices, the government said.",
     [("March 3", "report")]),                                        # ... an event only as the report itself
    ("WARSAW, March 3 (Xinhua) --\n\nPoland joined NATO, the government said.", []),  # a dateline on its own
])
def test_a_dateline_date_is_no_second_happening(text, expected):
    rows = events.extract(doc(text, published=D(2022, 3, 3)), "r1")["events"]
    assert [(e["date_text"], e["event_type"]) for e in rows] == expected


def test_a_named_country_beats_a_world_region_and_a_region_beats_the_actors_home():
    only_region = events.extract(doc("Netflix launched across the Nordics on March 3, 2022."), "r")
    assert sorted(m["market"] for m in only_region["event_markets"]) == ["DK", "FI", "IS", "NO", "SE"]  # not US
    with_country = events.extract(doc("Netflix launched in Japan and across Europe on March 3, 2022."), "r")
    assert [m["market"] for m in with_country["event_markets"]] == ["JP"]


def test_the_day_a_duration_is_counted_from_is_no_event_of_its_own():
    rows = events.extract(doc("The deal closed two days before Christmas.", published=D(2022, 6, 15)), "r")["events"]
    assert [(e["date_text"], e["date_start"]) for e in rows] == [("two days", D(2021, 12, 23))]


@pytest.mark.parametrize("text, expected", [   # hostile run 5
    ("The update was released at 10:00 am (0700 GMT) on Monday.", [("Monday", D(2022, 6, 13))]),
    ("Shops closed early on Christmas Eve, December 24, 2021.", [("Christmas Eve", D(2021, 12, 24))]),
    ("Work runs from 9 a.m. to 5 p.m. on March 3, 2022.", [("March 3, 2022", D(2022, 3, 3))]),
    ("He spoke on Monday and Tuesday.", [("Monday", D(2022, 6, 13)), ("Tuesday", D(2022, 6, 14))]),
])
def test_a_moment_restated_right_after_is_one_event(text, expected):
    rows = events.extract(doc(text, published=D(2022, 6, 15)), "r")["events"]
    assert [(e["date_text"], e["date_start"]) for e in rows] == expected


@pytest.mark.parametrize("text, expected", [
    ("The Games run December 1 to 15, 2021.", [("December 1 to 15, 2021", D(2021, 12, 1), D(2021, 12, 15))]),
    ("Output rose from 2001 to 2003.", [("2001 to 2003", D(2001, 1, 1), D(2003, 12, 31))]),
    ("They moved the vote from March 1 to March 8, 2022.",                 # a change of date: two days
     [("March 1", D(2022, 3, 1), D(2022, 3, 1)), ("March 8, 2022", D(2022, 3, 8), D(2022, 3, 8))]),
    ("Profit rose in the year to March 2022.",                              # a year-long period up to a month
     [("March 2022", D(2022, 3, 1), D(2022, 3, 31))]),
])
def test_a_range_with_to_is_one_event_unless_the_date_changed(text, expected):
    rows = events.extract(doc(text, published=D(2022, 6, 15)), "r")["events"]
    assert [(e["date_text"], e["date_start"], e["date_end"]) for e in rows] == expected


def test_multi_city_and_business_wire_datelines():
    rows = events.extract(doc("LONDON/NEW YORK, March 3 (Reuters) - Shell said on Wednesday it would exit Russia.",
                              published=D(2022, 3, 3)), "r")
    assert [e["date_text"] for e in rows["events"]] == ["Wednesday"]       # the dateline is the report's day
    rows = events.extract(doc("SAN FRANCISCO--(BUSINESS WIRE)--March 3, 2022--Acme Corp. announced a new app.",
                              published=D(2022, 3, 3)), "r")
    assert [(m["market"], m["basis"]) for m in rows["event_markets"]] == [("US", "dateline")]


def test_the_dateline_day_anchors_relative_dates_when_the_publication_date_differs():
    rows = events.extract(doc("PARIS, March 1 (Reuters) - Shell exited Russia yesterday.", published=D(2022, 3, 5)),
                          "r")["events"]
    assert [(e["date_text"], e["date_start"]) for e in rows] == [("yesterday", D(2022, 2, 28))]


def test_a_holiday_naming_a_kind_of_thing_is_no_event():
    rows = events.extract(doc("Exports of Christmas commodities rose 5 percent in October.",
                              published=D(2006, 11, 4)), "r")["events"]
    assert [e["date_text"] for e in rows] == ["October"]
    rows = events.extract(doc("The Pope spoke on Christmas.", published=D(2006, 12, 26)), "r")["events"]
    assert [e["date_text"] for e in rows] == ["Christmas"]


def test_the_company_alone_acts_through_the_organisation_named_last():
    text = ("Kimberly-Clark Corp. posted a 20% gain in third-quarter net income.\n\n"
            "Kimberly-Clark cited its businesses in Brazil and Korea. "
            "The consumer-products and newsprint company said net rose from $90.5 million a year ago.\n\n"
            "The central bank cut rates on Monday.")
    rows = events.extract(doc(text, published=D(1989, 11, 1)), "r")
    by_text = {e["date_text"]: e["event_id"] for e in rows["events"]}
    bases = lambda t: {(m["market"], m["basis"]) for m in rows["event_markets"] if m["event_id"] == by_text[t]}  # noqa: E731
    assert bases("a year ago") == {("US", "actor_home")}      # not the paragraph's Brazil and Korea
    assert ("US", "actor_home") not in bases("Monday")       # "the central bank" is the country's, no company's


@pytest.mark.parametrize("text, expected", [
    ("Rice will travel to Germany, Romania, Ukraine and Belgium from Dec. 5-9 to highlight ties.",
     ["BE", "DE", "RO", "UA"]),                                          # the whole list the clause goes on with
    ("Italy, which did not take part in the invasion of Iraq in 2003, sent troops.", ["IQ", "IT"]),
    ("Rowing was known in Egypt, Greece and Rome, but as a sport it began in England in the 19th century.", ["GB"]),
])
def test_a_list_of_places_before_the_dates_clause(text, expected):
    rows = events.extract(doc(text, published=D(2005, 11, 30)), "r")
    assert sorted({m["market"] for m in rows["event_markets"] if m["role"] != "origin"}) == expected


def test_a_dateline_day_after_the_publication_date_is_not_the_texts_day():
    rows = events.extract(doc("PARIS, Feb. 29 (Reuters) - Shell exited Russia yesterday.", published=D(2023, 3, 1)),
                          "r")["events"]
    assert [(e["date_text"], e["date_start"]) for e in rows] == [("yesterday", D(2023, 2, 28))]
