"""Stage 2, extract: dated events from a document. sentences.py (sentences, clauses, paragraphs), actors.py and
organisations.py (who, and where an organisation is at home), markets.py and languages.py (market mentions),
attribution.py (where an event happens, with evidence; what counts as the same happening), event_types.py
(what), events.py (assembly of events, mentions and their markets; calls transforms.temporal for the dates).
"""
