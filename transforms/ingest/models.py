"""Plain records passed between the pipeline's stages (no Airflow, no I/O)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


class BadInput(ValueError):
    """An input that cannot become a document; the message is the quarantine reason."""


@dataclass(slots=True)
class Document:
    """One ingested article: cleaned body text plus what we know about where it came from."""

    doc_id: str                      # content hash of the normalised text (see transforms.ingest.sources.doc_id_for)
    source: str                      # path relative to the source folder (or "<file>#<line>" for JSONL records)
    source_root: str                 # the source folder it was found under
    format: str                      # txt | md | jsonl | html
    text: str                        # cleaned article text; every offset in the lake points into this string
    title: str | None = None
    url: str | None = None
    published: dt.date | None = None
    published_basis: str = "unknown"  # metadata | sidecar | header | inferred | unknown
    encoding: str = "utf-8"
    metadata: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # values rejected at the boundary (the document is kept);
                                                    # each becomes a quarantine row naming the source


@dataclass(slots=True)
class Rejected:
    """An input that did not become a document, with the reason (goes to the quarantine table)."""

    source: str
    source_root: str
    stage: str                       # ingest | dedup | validate
    reason: str
