"""Event types (transforms.extract.event_types): the table, lemmas, trigger choice."""
from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from transforms.extract import event_types

EXPECTED = ["launch", "expansion", "exit", "ban", "investigation", "regulatory", "sanction", "payment",
            "logistics", "sale", "partnership", "report", "metric", "boycott", "earnings", "market_move",
            "acquisition", "ipo", "appointment", "lawsuit", "job_cuts", "strike", "bankruptcy", "forecast", "conflict",
            "disaster", "death", "meeting", "other"]


def test_table_defines_every_type_once():
    ts = event_types.types()
    assert [t.name for t in ts] == EXPECTED
    for t in ts:
        assert re.fullmatch(r"[a-z_]+", t.name)
        assert t.definition and isinstance(t.priority, int)
        assert (t.triggers == ()) == (t.name == "other")


@pytest.mark.parametrize("word,lemma", [
    ("banned", "ban"), ("reported", "report"), ("said", "say"), ("starts", "start"), ("boycotts", "boycott"),
    ("investigating", "investigate"), ("released", "release"), ("deliveries", "delivery"), ("stopped", "stop"),
])
def test_lemmas(word, lemma):
    assert lemma in event_types.lemmas(word)


def classify(sentence: str, date: str, occurrence: int = 0):
    from transforms.extract import sentences
    start = [m.start() for m in re.finditer(re.escape(date), sentence)][occurrence]
    end = start + len(date)
    cl = sentences.clauses(sentence, protect=((start, end),))
    clause = sentences.date_clause(sentence, cl, start, end)
    return event_types.classify(sentence, start, end, clause)


# the seeds' statements
SEED_SENTENCES = [
    ("In November 2020, India's Ministry of Electronics banned the AliExpress app along with 42 other Chinese apps.",
     "November 2020", "ban", "banned"),
    ("In November 2023, the European Commission opened a probe into AliExpress.", "November 2023",
     "investigation", "probe"),
    ("In 2022, the Office of the USTR added AliExpress to its list of Notorious Markets for Counterfeiting.",
     "2022", "regulatory", "list"),
    ("even reminding Russians that a sale is due to start on June 1.", "June 1", "sale", "sale"),
    ("PS And on June 1st the sale also starts, read the update.", "June 1st", "sale", "sale"),
    ("Last year, brands like Nike and HM faced boycotts from Chinese consumers.", "Last year", "boycott", "boycotts"),
    ("As of March 2024, the number of global users reached 8.18 million.", "March 2024", "metric", "number of"),
    ("Launched in 2010, it is made up of small businesses in China.", "2010", "launch", "Launched"),
    ("Western countries imposed sanctions on Russia in March 2022.", "March 2022", "sanction", "sanctions"),
    ("In April 2022 the company suspended deliveries to Russia.", "April 2022", "exit", "suspended"),
    ("On May 3, Cainiao opened a new warehouse for parcel delivery.", "May 3", "logistics", "warehouse"),
    ("In 2019 Alibaba and Ozon signed a partnership agreement.", "2019", "partnership", "partnership"),
    ("Since 2013, AliExpress has transitioned fully to a To-C platform.", "2013", "other", None),
]


# generic words in a market or company context, not elsewhere
GENERIC_WORDS = [
    ("Tokyo stocks crashed on Monday.", "Monday", "market_move", "crashed"),      # generic words in a market ...
    ("Shares closed higher on Friday.", "Friday", "market_move", "closed"),
    ("Dell delayed its third-quarter results on Tuesday.", "Tuesday", "earnings", "results"),
    ("A fighter jet crashed near the border on Monday.", "Monday", "disaster", "crashed"),  # ... an accident
    ("The border crossing closed on Friday.", "Friday", "other", None),
    ("Thousands rallied in the capital on Sunday.", "Sunday", "other", None),
    ("The team's 2-1 loss on Wednesday ended the run.", "Wednesday", "other", None),
    ("The results of Thursday's vote were still being counted.", "Thursday", "other", None),
    ("The minister will leave for Lima on Wednesday.", "Wednesday", "other", None),
    ("The boy was rescued by fishermen on Nov. 25.", "Nov. 25", "other", None),
    ("In March 2024 the platform reached 8 million users.", "March 2024", "metric", "reached"),
]


# the verb of a business happening wins over a figure word (hostile run 4)
BUSINESS_VERBS = [
    ("The European Commission fined Google 4.3 billion euros on July 18, 2018.", "July 18, 2018", "regulatory",
     "fined"),                                                            # a figure word only without a verb
    ("Microsoft agreed to acquire LinkedIn for $26.2 billion on June 13, 2016.", "June 13, 2016", "acquisition",
     "acquire"),
    ("Exports totaled 1.96 billion dollars in 2005.", "2005", "metric", "billion"),
    ("Rivian's IPO in the United States raised $11.9 billion on Nov. 10, 2021.", "Nov. 10, 2021", "ipo", "IPO"),
    ("Epic Games sued Apple on August 13, 2020.", "August 13, 2020", "lawsuit", "sued"),
    ("LinkedIn was taken over by Microsoft on December 8, 2016.", "December 8, 2016", "acquisition", "taken over by"),
    ("Tesla opened its factory in Berlin on March 22, 2022.", "March 22, 2022", "expansion", "opened"),
    ("Nike closed all its stores in Russia on June 23, 2022.", "June 23, 2022", "exit", "closed all"),
    ("Gulf states agreed on Monday to raise output.", "Monday", "other", None),
    ("Australian share prices closed down 0.43 percent Thursday.", "Thursday", "market_move", "closed"),
    ("The company closed down its plant on Monday.", "Monday", "exit", "closed down"),
    ("The 2-million-dollar memorial marks the crash of Nov. 12, 2001.", "Nov. 12, 2001", "other", None),
    ("It hopes to complete the transaction early next year.", "early next year", "other", None),  # a deal
    ("The bank began accepting card transactions on Monday.", "Monday", "payment", "transactions"),
    ("The prime minister on Monday defended his 10-month record in government.", "Monday", "other", None),
    ("Exports reached a record 5 billion dollars on Monday.", "Monday", "metric", "record"),
    ("A typhoon struck the port on Monday.", "Monday", "disaster", "typhoon"),     # hostile run 5
    ("Workers went on strike on Monday over pay.", "Monday", "strike", "strike"),
    ("GM closed a plant in Ohio on Monday.", "Monday", "job_cuts", "closed"),
    ("The company named a new product on Monday.", "Monday", "other", None),
    ("The company named a new chief executive on Monday.", "Monday", "appointment", "chief executive"),
    ("Tesla opened 500 charging stations in Norway on Monday.", "Monday", "other", None),   # ordinary words ...
    ("The minister in charge of trade resigned on Monday.", "Monday", "appointment", "resigned"),
    ("Fans bid farewell to the stadium on Monday.", "Monday", "other", None),
    ("He made the trip on Monday in a bid to end the dispute.", "Monday", "other", None),
    ("Prosecutors charged the former CEO with fraud on Monday.", "Monday", "lawsuit", "charged"),  # ... not these
    ("He was charged with the slaying on Monday.", "Monday", "lawsuit", "charged with"),
    ("Acme made a $2 billion bid for Zorgo on Monday.", "Monday", "acquisition", "bid"),
    ("Stocks fell on Monday.", "Monday", "market_move", "fell"),      # a trigger whose context is there wins
    ("Oil exports fell on Monday.", "Monday", "metric", "fell"),
    ("Acme released results for Q4 FY2023 on Monday.", "Monday", "earnings", "results"),
    ("He left the company on Monday.", "Monday", "appointment", "left the company"),
    ("Acme shares were listed in Hong Kong on Monday.", "Monday", "ipo", "listed"),
    ("The Journal listed the ten best funds on Monday.", "Monday", "other", None),
    ("The USTR put the site on its Notorious Markets list on Monday.", "Monday", "regulatory", "list"),
    ("Stars gathered on Friday to appeal for calm.", "Friday", "other", None),
    ("Leaders celebrated a decision by the EU on Saturday.", "Saturday", "other", None),
    ("The court rejected his appeal on Friday.", "Friday", "lawsuit", "appeal"),
    ("Pinochet ruled Chile after seizing power in 1973.", "1973", "other", None),      # to govern, not a ruling
    ("Yeltsin signed a decree on April 1.", "April 1", "regulatory", "decree"),
    ("The court's ruling came on Monday.", "Monday", "lawsuit", "ruling"),
    ("He left for the United States on April 24 for talks.", "April 24", "meeting", "talks"),  # a name is no "unit"
    ("He promised to support the bill in parliament on Thursday.", "Thursday", "regulatory", "bill"),
    ("Bush arrived in Vietnam on Friday for a visit.", "Friday", "meeting", "visit"),        # a trip, not a market entry
    ("Amazon's store arrived in Sweden on Sunday.", "Sunday", "expansion", "arrived in"),
    ("NATO took over command of the force in 2003.", "2003", "other", None),               # not a takeover
    ("Acme will take over the rival company on Sunday.", "Sunday", "acquisition", "take over"),
]

# general news is typed as what happened, not as the business sense of one of its words (hostile run 6)
GENERAL_NEWS = [
    ("North Korea launched a ballistic missile on June 10, 2022.", "June 10, 2022", "conflict", "missile"),
    ("An air raid warning sounded across Ukraine on June 10, 2022.", "June 10, 2022", "conflict", "air raid"),
    ("The Ukrainian city fell to Russian forces on June 10, 2022.", "June 10, 2022", "conflict", "fell to"),
    ("Russian troops entered the city of Kherson on March 2, 2022.", "March 2, 2022", "conflict", "troops"),
    ("Hostages were released in Mali on June 10, 2022.", "June 10, 2022", "conflict", "Hostages"),
    ("Queen Elizabeth II died on Sept. 8, 2022.", "Sept. 8, 2022", "death", "died"),
    ("A Turkish cargo ship sank off the coast of Libya on June 10, 2022.", "June 10, 2022", "disaster", "sank"),
    ("A warehouse burned in the Moscow region on May 26, 2022.", "May 26, 2022", "disaster", "burned"),
    ("The Italian president paid tribute to the victims on June 10, 2022.", "June 10, 2022", "meeting", "paid tribute"),
    ("The French president delivered a speech in Berlin on June 10, 2022.", "June 10, 2022", "meeting",
     "delivered a speech"),
    ("The referee showed a red card to the striker on June 10, 2022.", "June 10, 2022", "other", None),
    ("The drug passed its clinical trial on June 10, 2022.", "June 10, 2022", "other", None),
    ("The Japanese stimulus package was signed on June 10, 2022.", "June 10, 2022", "other", None),
    ("Penn State fired its football coach on Nov. 9, 2011.", "Nov. 9, 2011", "other", None),
    ("The index was shooting up 6 percent on Monday.", "Monday", "market_move", "index"),
    ("Visiting Everton lost 1-0 on Saturday.", "Saturday", "other", None),
    ("The courier delivered the parcel on Monday.", "Monday", "logistics", "parcel"),
    ("Visa cards were refused in Russia on March 10.", "March 10", "payment", "cards"),
    ("Russia's military operations entered their seventh day on March 2.", "March 2", "conflict", "military operations"),
    ("United Front leader Gujral on Sunday staked claim to form India's new government.", "Sunday", "report", "claim"),
    ("Hamburg's pride is at stake on Sunday.", "Sunday", "other", None),
    ("Vodafone sold its stake in Verizon on Monday.", "Monday", "acquisition", "stake"),
]


@pytest.mark.parametrize("sentence,date,etype,trigger", SEED_SENTENCES + GENERIC_WORDS + BUSINESS_VERBS + GENERAL_NEWS)
def test_classify(sentence, date, etype, trigger):
    assert classify(sentence, date) == (etype, trigger)


def test_report_is_chosen_for_the_date_of_the_report_and_exit_for_the_reported_date():
    s = ("On December 27, the Jerusalem Post reported that many Palestinian buyers received a text message "
         "stating that in 2022, Aliexpress would no longer be serving customers in the Palestinian Territories.")
    assert classify(s, "December 27") == ("report", "reported")
    assert classify(s, "2022") == ("exit", "no longer")


def test_capitalised_names_are_not_triggers():
    s = "In 2021 the Sale Group and Kyiv Post were founded."
    assert event_types.find_triggers(s) == []
    s2 = "Sale starts, Ban follows"                 # sentence-initial / clause-initial words still count
    assert [t.type for t in event_types.find_triggers(s2)] == ["sale", "ban"]


def test_excluded_spans_are_not_triggers():
    s = "In 2021 the Trade Representative Report said nothing."
    a = s.index("Trade")
    b = a + len("Trade Representative Report")
    assert [t.text for t in event_types.find_triggers(s, exclude=[(a, b)])] == ["said"]


def test_far_triggers_outside_the_clause_are_ignored():
    s = ("As of 2016 AliExpress ran websites in English, Spanish, Korean, Dutch, French, Italian, German, Polish, "
         "Turkish, Portuguese, Indonesian, Russian and other languages - English being the default offered to "
         "those countries with languages outside the preceding list.")
    assert classify(s, "2016") == ("other", None)


def test_trigger_order_does_not_depend_on_the_hash_seed():
    """"ruling" is a lawsuit trigger as written and a regulatory one as "rule": the word's own trigger wins,
    in every process (lemmas are ordered, not a set in hash order)."""
    code = ("from transforms.extract import event_types as t; "
            "print(t.classify('The court ruling came on 3 May 2024.', 24, 34)[0], t.lemmas('ruling')[0])")
    outs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout.strip()
            for seed in range(6)}
    assert outs == {"lawsuit ruling"}
