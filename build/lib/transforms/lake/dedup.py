"""The one deduplication rule: a document whose ``doc_id`` (the hash of its normalised text) was seen
before — in the lake, or earlier in the same run — is a duplicate; the copy is recorded in
``quarantine`` (stage ``dedup``) naming the first source, and adds nothing else."""
from __future__ import annotations

from pathlib import Path

from transforms.ingest.models import Rejected
from transforms.lake import store


class SeenDocuments:
    """``doc_id -> first source`` of the documents seen so far."""

    def __init__(self, known: dict[str, str] | None = None):
        self._first: dict[str, str] = known if known is not None else {}

    @classmethod
    def in_lake(cls, lake_dir: Path) -> SeenDocuments:
        known: dict[str, str] = {}
        for t in store.read_columns(lake_dir, "documents", ["doc_id", "source"]):
            known.update(zip(t.column(0).to_pylist(), t.column(1).to_pylist()))
        return cls(known)

    def duplicate(self, doc_id: str, source: str, source_root: str) -> Rejected | None:
        """The quarantine record when ``doc_id`` was seen before; else remember it and return None."""
        first = self._first.get(doc_id)
        if first is None:
            self._first[doc_id] = source
            return None
        return Rejected(source, source_root, "dedup", f"duplicate of document {doc_id} (first seen as {first})")
