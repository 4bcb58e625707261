"""The one deduplication rule: a document whose ``doc_id`` (the hash of its normalised text) was seen
before — in the lake, or earlier in the same run — is a duplicate; the copy is recorded in
``quarantine`` (stage ``dedup``) naming the first source, and adds nothing else."""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from transforms.ingest.models import Rejected
from transforms.lake import store


class SeenDocuments:
    """``doc_id -> first source`` of the documents seen so far."""

    def __init__(self, known: dict[str, str] | None = None):
        self._first: dict[str, str] = known if known is not None else {}

    @classmethod
    def in_lake(cls, lake_dir: Path, doc_ids: Iterable[str] | None = None) -> SeenDocuments:
        """The documents of the lake; with ``doc_ids``, only those of them (all a caller about to check
        these ids needs, in memory bounded by their number rather than the lake's)."""
        where = None if doc_ids is None else pc.field("doc_id").isin(pa.array(sorted(set(doc_ids)), pa.string()))
        t = store.read_committed(lake_dir, "documents", ["doc_id", "source"], where)
        return cls(dict(zip(t.column(0).to_pylist(), t.column(1).to_pylist())))

    def __len__(self) -> int:
        return len(self._first)

    def ids(self) -> list[str]:
        return list(self._first)

    def duplicate(self, doc_id: str, source: str, source_root: str) -> Rejected | None:
        """The quarantine record when ``doc_id`` was seen before; else remember it and return None."""
        first = self._first.get(doc_id)
        if first is None:
            self._first[doc_id] = source
            return None
        return Rejected(source, source_root, "dedup", f"duplicate of document {doc_id} (first seen as {first})")
