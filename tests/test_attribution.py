"""Attribution (transforms.extract.attribution via events.extract): each kind of market evidence in its
order, roles, confidence by basis, and the one "same happening" rule (within and across documents)."""
from __future__ import annotations


import pytest

from tests.test_events import D, by_text, doc, fake_tag, markets_of, tx
from transforms.extract import attribution, events


def run(monkeypatch, text, dates, doc_id="d1"):
    fake_tag(monkeypatch, [tx(text, phrase, value, start, end, occurrence=occ)
                           for phrase, value, start, end, occ in dates])
    return events.extract(doc(text, doc_id=doc_id), "r")


Q3 = ("the third quarter", "1989-Q3", D(1989, 7, 1), D(1989, 9, 30), 0)
MON = ("Monday", "2006-11-20", D(2006, 11, 20), D(2006, 11, 20), 0)


def test_acting_company_home_when_the_sentence_names_no_place(monkeypatch):
    text = ("British investors were calm.\n\nCompaq Computer Corp. said its net income rose 51% in the third "
            "quarter.")
    r = run(monkeypatch, text, [Q3])
    e = r["events"][0]
    assert markets_of(r, e) == {"US": ("place", "actor_home")}
    assert e["actors"] == ["Compaq"] and e["event_type"] == "earnings"
    assert e["confidence"] == pytest.approx(0.85)


def test_a_place_in_the_sentence_comes_before_the_actors_home(monkeypatch):
    text = "Toyota Motor Corp. said it would build a plant in Kentucky in the third quarter."
    r = run(monkeypatch, text, [Q3])
    assert markets_of(r, r["events"][0]) == {"US": ("place", "sentence")}


@pytest.mark.parametrize("text,expected", [
    ("The Bundesbank raised its key rate on Monday.", {"DE": ("institution", "actor_home")}),
    ("The International Monetary Fund cut its forecast on Monday.", {"GLOBAL": ("global", "actor_home")}),
    ("The DAX dropped 19.69 points on Monday.", {"DE": ("place", "actor_home")}),
    ("Bank of America said on Monday that profit rose.", {"US": ("place", "actor_home")}),
    ("Air France said on Monday that traffic rose.", {"FR": ("place", "actor_home")}),
    ("Deutsche Bank said on Monday that profit rose.", {"DE": ("place", "actor_home")}),
    ("The Kyiv Post reported on Monday that sales rose.", {}),
    ("Jordan said on Monday that sales rose.", {}),
])
def test_homes_of_institutions_indices_companies_and_no_claim_for_media_or_people(monkeypatch, text, expected):
    r = run(monkeypatch, text, [MON])
    assert markets_of(r, r["events"][0]) == expected


def test_the_treasury_is_the_documents_country(monkeypatch):
    text = "The U.S. economy grew in 1988.\n\nThe Treasury said on Monday it would sell more bonds."
    r = run(monkeypatch, text, [MON])
    assert markets_of(r, by_text(r, "Monday")) == {"US": ("institution", "actor_home")}


def test_in_document_evidence_gives_an_unknown_company_a_home(monkeypatch):
    text = "Tokyo-based Zorgo Corp. makes robots.\n\nZorgo said on Monday that its profit rose."
    r = run(monkeypatch, text, [MON])
    assert markets_of(r, r["events"][0]) == {"JP": ("place", "actor_home")}


@pytest.mark.parametrize("text, expected", [
    ("Zorgo Corp. reported a net loss of $35.2 million in the third quarter, compared with $3.8 million.", "US"),
    ("Zorgo said its profit in the third quarter rose to 12 billion yen from 9 billion yen.", "JP"),
    ("Zorgo said its profit in the third quarter rose to HK$ 1.2 billion.", "HK"),
])
def test_without_a_place_or_a_known_home_the_currency_names_the_market(monkeypatch, text, expected):
    r = run(monkeypatch, text, [Q3])
    assert markets_of(r, r["events"][0]) == {expected: ("place", "document")}


def test_no_currency_and_no_place_is_no_market(monkeypatch):
    r = run(monkeypatch, "Zorgo said its profit rose in the third quarter.", [Q3])
    assert markets_of(r, r["events"][0]) == {}


def test_a_list_of_places_opening_the_dates_clause_belongs_to_it(monkeypatch):
    text = "Poland, Hungary and the Czech Republic formally joined NATO on Monday at a ceremony in Independence, Missouri."
    r = run(monkeypatch, text, [MON])
    assert set(markets_of(r, r["events"][0])) == {"PL", "HU", "CZ"}


def test_a_sentence_the_document_repeats_is_one_event(monkeypatch):
    para = "The agreement went into effect on Monday in South Africa."
    text = f"{para}\n\nDiamonds are traded worldwide.\n\n{para}"
    r = run(monkeypatch, text, [MON, MON[:4] + (1,)])
    assert len(r["events"]) == 1
    # ... while the same date in another sentence stays its own event
    text = f"{para}\n\nThe deal was signed on Monday in Kenya."
    r = run(monkeypatch, text, [MON, MON[:4] + (1,)])
    assert len(r["events"]) == 2


def test_an_origin_only_mention_does_not_stop_the_search_for_the_market(monkeypatch):
    text = ("Sales grew in China on Monday.\n\n"
            "Founded on Monday with 450 million yuan (56.25 million U.S. dollars), Taobao has six million users.")
    r = run(monkeypatch, text, [MON, MON[:4] + (1,)])
    (e,) = [e for e in r["events"] if e["sentence"].startswith("Founded")]
    assert markets_of(r, e) == {"CN": ("place", "document"), "US": ("origin", "sentence")}


def test_dateline_opening_the_paragraph(monkeypatch):
    text = "Markets in Asia were mixed.\n\nJAKARTA -- Share prices ended higher on Monday in thin trade."
    r = run(monkeypatch, text, [MON])
    assert markets_of(r, r["events"][0]) == {"ID": ("place", "dateline")}
    assert r["events"][0]["confidence"] == pytest.approx(0.8)


def test_a_wire_round_up_is_one_event_per_market(monkeypatch):
    text = ("JAKARTA -- Share prices on the Jakarta Stock Exchange closed higher on Monday.\n\n"
            "COLOMBO -- Share prices on the Colombo Stock Exchange closed lower on Monday.\n\n"
            "SHANGHAI -- The index on the Shanghai Stock Exchange closed at 2,017 points on Monday.")
    r = run(monkeypatch, text, [MON, MON[:4] + (1,), MON[:4] + (2,)])
    got = [(e["actors"], e["event_type"], sorted(markets_of(r, e))) for e in r["events"]]
    assert got == [(["Jakarta Stock Exchange"], "market_move", ["ID"]),
                   (["Colombo Stock Exchange"], "market_move", ["LK"]),
                   (["Shanghai Stock Exchange"], "market_move", ["CN"])]


def test_same_actor_type_and_date_is_one_event_within_a_document(monkeypatch):
    text = "Unisys Corp. posted a loss in the third quarter. Unisys said the loss in the third quarter was large."
    r = run(monkeypatch, text, [Q3, Q3[:4] + (1,)])
    assert [(e["actors"], e["mentions"]) for e in r["events"]] == [(["Unisys"], 2)]


def test_a_speaker_quoted_after_the_clause_is_not_the_lead(monkeypatch):
    text = "Net sales rose 5% in the third quarter, Unisys Corp. said."
    r = run(monkeypatch, text, [Q3])
    e = r["events"][0]
    assert e["actors"] == ["Unisys"] and e["story_key"] is None       # no lead actor: a story of its own
    assert markets_of(r, e) == {"US": ("place", "actor_home")}      # but the company's home still counts


def test_stories_across_documents_need_a_shared_named_actor(monkeypatch):
    a = run(monkeypatch, "Kellogg Co. said its earnings fell in the third quarter.", [Q3], "a")["events"][0]
    b = run(monkeypatch, "Kellogg said earnings fell in the third quarter.", [Q3], "b")["events"][0]
    c = run(monkeypatch, "Aetna Life & Casualty said its earnings fell in the third quarter.", [Q3], "c")["events"][0]
    d = run(monkeypatch, "Earnings fell in the third quarter in the U.S.", [Q3], "d")["events"][0]
    assert a["story_key"] == b["story_key"] is not None
    assert c["story_key"] not in (None, a["story_key"])
    assert d["story_key"] is None


def test_happening_key():
    k = attribution.happening_key(D(2006, 1, 1), D(2006, 1, 1), "earnings", "Unisys", "US")
    assert k == attribution.happening_key(D(2006, 1, 1), D(2006, 1, 1), "earnings", "UNISYS", "US")
    assert k != attribution.happening_key(D(2006, 1, 1), D(2006, 1, 1), "earnings", "Unisys", "GB")
    assert attribution.happening_key(D(2006, 1, 1), D(2006, 1, 1), "earnings", None, "US") is None
    assert attribution.happening_key(D(2006, 1, 1), D(2006, 1, 1), "other", "Unisys", "US") is None
    assert attribution.happening_key(D(2006, 1, 1), D(2006, 1, 1), "earnings", "Unisys", None) is None


@pytest.mark.parametrize("line,expected", [
    ("JAKARTA -- Share prices rose.", ("ID", "JAKARTA --")),
    ("LONDON (AP) -- Shares fell.", ("GB", "LONDON (AP) --")),
    ("HONG KONG, Nov. 20 (Xinhua) -- Shares fell.", ("HK", "HONG KONG, Nov. 20 (Xinhua) --")),
    ("NEW DELHI: The ministry said.", ("IN", "NEW DELHI:")),     # the colon of South Asian papers and agendas
    ("BRUSSELS, December 2 (Xinhua) --\n\nThe ratification ended.", ("BE", "BRUSSELS, December 2 (Xinhua) --")),
    ("NOTE -- this is not a place.", None),
    ("NOTE: this is not a place.", None),
    ("Jakarta -- lower case is not a dateline.", None),
])
def test_datelines(line, expected):
    assert attribution.dateline(line, 0) == expected
