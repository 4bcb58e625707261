"""Stage 1, ingest: find source files (sources.py), read and decode them (decoding.py), clean the text (clean.py) and
find each document's publication date. Output: Document / Rejected records (models.py).
"""
