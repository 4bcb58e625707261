"""Stage 2, extract: dated events from a document. sentences.py (sentences, clauses, paragraphs), actors.py
(who), markets.py (where: market mentions and their attribution), event_types.py (what), events.py
(assembly of events, mentions and their markets; calls transforms.temporal for the dates).
"""
