"""Which article a document is a version of: its source identity.

A document's ``doc_id`` is the hash of its text; its *identity* says which article the text is of, so
that a corrected article (same identity, new text) becomes a new version that supersedes the earlier one
(the warehouse's ``document_versions``, ``events.superseded_by``, ``event_history``). In order:

1. the publisher's record ``id`` (a JSONL field or a sidecar's; a number, text or a JSON object), scoped to the
   source folder;
2. the article's URL, normalised (scheme and host lower case, no fragment, no tracking parameters,
   no trailing slash) — the same URL is the same article whichever folder it came through;
3. the file's path in its source folder; an inbox file's is its name as dropped into the inbox
   (``inbox:<name>``: its own namespace, so a dropped ``base.txt`` never replaces a source's ``base.txt``,
   and the same name dropped again is a correction of it).

A JSONL line with neither ``id`` nor ``url`` has no identity (None): line numbers do not identify an
article, so such a record is never taken for a correction of another.
"""
from __future__ import annotations

import json
import math
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from transforms.ingest.inbox import dropped_name
from transforms.ingest.models import Document

TRACKING_PARAMS = ("utm_", "fbclid", "gclid", "mc_cid", "mc_eid")  # query parameters that do not name a page
DEFAULT_PORTS = {"http": 80, "https": 443}


def normalise_url(url: str) -> str | None:
    """The URL as an identity, or None when it is not an absolute http(s) URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if port and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    query = urlencode(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                             if not k.lower().startswith(TRACKING_PARAMS)))
    return urlunsplit(("https" if scheme == "http" else scheme, host, parts.path.rstrip("/") or "/", query, ""))


def source_identity(doc: Document) -> str | None:
    """The identity of the article ``doc`` is a version of (see the module's docstring)."""
    record_id = doc.metadata.get("id") if doc.metadata else None
    if isinstance(record_id, (dict, list)) and record_id:  # a structured id ({"feed": "x", "n": 7}): in one spelling
        record_id = json.dumps(record_id, sort_keys=True, separators=(",", ":"), default=str)
    if isinstance(record_id, float):  # 7.0 and 7: one number, one article; 1e400 (read as infinity) or NaN: no id
        record_id = int(record_id) if record_id.is_integer() else record_id if math.isfinite(record_id) else None
    if isinstance(record_id, (str, int, float)) and not isinstance(record_id, bool) and str(record_id).strip():
        return f"id:{doc.source_root}:{str(record_id).strip()}"
    url = normalise_url(doc.url) if doc.url else None
    if url:
        return f"url:{url}"
    if doc.format == "jsonl":
        return None
    dropped = dropped_name(doc.source)
    return f"inbox:{dropped}" if dropped != doc.source else f"path:{doc.source_root}/{doc.source}"
