"""Organisations (transforms.extract.organisations + actors): the table, ambiguous names, short names,
normalisation, in-document evidence of a company's home."""
from __future__ import annotations


import pytest

from transforms.extract import actors, markets, organisations


def found(text: str) -> list[tuple[str, str, str | None]]:
    return [(a.name, a.kind, a.home) for a in actors.find(text)]


def test_table_rows_are_well_formed():
    allowed = {c for c, _, _ in markets.market_table()} | {"*"}
    kinds = {"company", "bank", "exchange", "index", "central_bank", "regulator", "government", "supranational",
             "media"}
    orgs = {o.name: o for o in organisations.table().values()}
    assert len(orgs) > 1000
    for o in orgs.values():
        assert o.home in allowed, o
        assert o.kind in kinds, o


def test_every_knowledge_table_loads_and_a_row_with_an_unquoted_comma_is_an_error(monkeypatch, tmp_path):
    from importlib import resources

    from transforms import knowledge

    for f in resources.files("transforms.knowledge").iterdir():
        if f.name.endswith(".csv"):
            assert knowledge.csv_rows(f.name)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,home,kind,aliases\nMITI,JP,government,METI|Ministry of Economy, Trade and Industry\n")
    monkeypatch.setattr(knowledge, "_file", lambda name, package: bad)
    with pytest.raises(ValueError, match="more fields than the header"):
        knowledge.csv_rows("bad.csv")


@pytest.mark.parametrize("name,home", [
    ("Bank of America", "US"), ("Air France", "FR"), ("Deutsche Bank", "DE"), ("Toyota Motor", "JP"),
    ("Unisys", "US"), ("Polly Peck", "GB"), ("Daewoo", "KR"), ("Jaguar", "GB"), ("Bundesbank", "DE"),
    ("Federal Reserve", "US"), ("International Monetary Fund", "GLOBAL"), ("European Commission", "EU"),
    ("Shanghai Stock Exchange", "CN"), ("DAX", "DE"), ("Nikkei", "JP"), ("Treasury", "*"), ("Kyiv Post", "UA"),
])
def test_homes(name, home):
    assert organisations.lookup(name).home == home


@pytest.mark.parametrize("text, names", [
    # a company the text names is that company, not the group that later bought it
    ("Chemical Banking Corp. and Manufacturers Hanover Corp. reported profits.", ["Chemical Banking", "Manufacturers Hanover"]),
    ("Security Pacific Corp. bought a bank.", ["Security Pacific"]),
    ("Time Warner Inc. said it would sue.", ["Time Warner"]),
    ("Mobil Corp. and Exxon Corp. raised prices.", ["Mobil", "Exxon Mobil"]),
    ("A New York Times/CBS News poll was completed.", ["New York Times", "CBS"]),
])
def test_predecessors_and_acquired_companies_are_their_own_actors(text, names):
    assert [n for n, _, _ in found(text)] == names


def test_places_in_organisation_names_are_actors_not_markets():
    t = "Bank of America, Air France and Deutsche Bank agreed, the Kyiv Post reported."
    assert found(t) == [("Bank of America", "org", "US"), ("Air France", "org", "FR"),
                        ("Deutsche Bank", "org", "DE"), ("Kyiv Post", "media", "UA")]
    masks = actors.place_masks(actors.find(t))
    assert [m.text for m in markets.find(t, exclude=masks)] == []


def test_apple_the_fruit_and_apple_the_company():
    assert found("Apple pie sales rose 5% in the quarter.") == []
    assert found("She picked an Apple from the tree.") == []
    assert found("Apple reported a profit of $5 billion.") == [("Apple", "org", "US")]
    assert found("The utility stopped its dividend because of its Midland nuclear plant.") == []


def test_shell_the_noun_and_shell_the_company():
    assert found("Shell companies were used to hide money.") == []
    assert found("Shell said its profit rose 10%.") == [("Shell", "org", "GB")]
    assert found("Royal Dutch/Shell Group posted higher earnings.") == [("Shell", "org", "GB")]


def test_a_person_named_ford_is_not_the_company():
    assert found("Harrison Ford starred in the film.") == []
    assert found("Ford Motor Co. said sales rose; Ford shares fell.") == [("Ford Motor", "org", "US")] * 2


@pytest.mark.parametrize("text, absent", [
    ("Afghan National Army (ANA) soldiers seized two cars in Kabul. The ANA said more arrests would follow.",
     "All Nippon Airways"),
    ("The International Olympic Committee (IOC) met in Doha.", "Indian Oil"),
    ("The Armed Forces of the Philippines (AFP) said rebels attacked.", "AFP"),
])
def test_an_acronym_the_document_defines_is_not_the_tables_organisation(text, absent):
    assert absent not in {a.name for a in actors.find(text)}


@pytest.mark.parametrize("text, name", [
    ("All Nippon Airways (ANA) said profit rose. ANA shares fell.", "All Nippon Airways"),
    ("The World Trade Organisation (WTO) ruled. The WTO said.", "World Trade Organization"),   # a spelling variant
])
def test_an_acronym_defined_as_the_tables_organisation_stays_it(text, name):
    assert [a.name for a in actors.find(text)].count(name) >= 2


def test_business_context_is_the_sentence_of_an_ambiguous_name():
    # "cars" in the next sentence does not make the Orange Order's opponents the telecom company
    t = "Rice leads anti-Orange protests in south Belfast. Riot police in armored cars blocked the road."
    assert "Orange" not in {a.name for a in actors.find(t)}
    # a figure or a hyphenated business word inside the sentence does
    assert "Orange" in {a.name for a in actors.find("Orange fell 2.1% on the news.")}
    assert "Orange" in {a.name for a in actors.find("Orange blamed its fourth-quarter slump on costs.")}


@pytest.mark.parametrize("place, company, name", [
    ("A military truck exploded in a tunnel linking the South Korean city of Taegu and Masan, reports said.",
     "Masan shares rose 3% on strong sales.", "Masan"),
    ("The blast went off at the Dongfeng Coal Mine in Heilongjiang.",
     "Dongfeng shares rose 3% after the carmaker reported sales.", "Dongfeng Motor"),
])
def test_company_names_that_are_also_places_need_business_context(place, company, name):
    assert name not in {a.name for a in actors.find(place)}
    assert name in {a.name for a in actors.find(company)}


def test_short_names_after_full_names_are_the_same_organisation():
    t = "Unisys Corp. said its loss widened. Unisys shares fell. Polly Peck International rose; Polly Peck said so."
    assert [a.name for a in actors.find(t)] == ["Unisys", "Unisys", "Polly Peck", "Polly Peck"]


@pytest.mark.parametrize("raw,canonical", [
    ("Toyota Motor Corp.", "Toyota Motor"), ("Toyota", "Toyota Motor"), ("VW", "Volkswagen"),
    ("Volkswagen AG", "Volkswagen"), ("Acme Widgets International", "Acme Widgets"),
])
def test_variants_normalise_to_one_name(raw, canonical):
    assert actors.normalise(raw) == canonical


def test_unknown_companies_from_legal_forms_titles_and_acting_verbs():
    t = "Milton Roy Co. said its net rose. Mr. Spoon declined, Crossland reported a loss, and Zapata's stock fell."
    assert [(a.name, a.kind) for a in actors.find(t)] == [
        ("Milton Roy", "org"), ("Spoon", "person"), ("Crossland", "org"), ("Zapata", "org")]


def evidence(text: str) -> dict[str, tuple[str, str]]:
    acts = actors.find(text)
    return {k: v[0] for k, v in organisations.evidence(text, [a for a in acts if a.kind == "org"],
                                                        markets.find(text)).items()}


@pytest.mark.parametrize("text,home", [
    ("Tokyo-based Zorgo Corp. said sales rose.", "JP"),
    ("The British company Zorgo Holdings said sales rose.", "GB"),
    ("Zorgo Holdings of Japan said sales rose.", "JP"),
    ("Japan's Zorgo Holdings said sales rose.", "JP"),
    ("Kenya Zorgo Bank said sales rose.", "KE"),
    ("Zorgo Corp. closed at $5 in New York Stock Exchange composite trading.", "US"),
])
def test_in_document_evidence_of_a_home(text, home):
    assert list(evidence(text).values()) == [home]


def test_no_evidence_no_home():
    assert evidence("Zorgo Corp. said sales rose.") == {}


def test_washington_the_person_the_state_and_the_government():
    codes = lambda t: [m.code for m in markets.find(t)]
    assert codes("Washington said on Monday it would impose tariffs.") == ["US"]
    assert codes("Officials in Washington agreed.") == ["US"]
    assert codes("Mr. Washington said the film did well.") == []
    assert codes("Denzel Washington starred in the film.") == []
    assert codes("Washington state voters approved it.") == ["US"]          # the state is in the US (hostile run 5)


def test_georgia_the_state_is_the_us():
    assert [(m.text, m.code) for m in markets.find("Atlanta, Georgia, is home to the company.")] == [("Georgia", "US")]
