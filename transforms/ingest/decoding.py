"""Bytes to text: byte-order marks, UTF-8, legacy encodings (charset-normalizer), and binary content
refused with a reason."""
from __future__ import annotations

import codecs
import re

from transforms.ingest.models import BadInput

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def decode(data: bytes) -> tuple[str, str]:
    """Bytes to text, returning (text, encoding used). Raises BadInput for binary or undecodable data."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise BadInput(f"invalid {encoding} despite its byte-order mark: {exc.reason}") from None
    nul = data.find(b"\x00")
    if nul >= 0:  # anywhere in the file, not only at its start
        raise BadInput(f"binary content (NUL byte at offset {nul}), not text")
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text, encoding = _decode_fallback(data)
    sample = text[:8192]
    if sample and len(_CONTROL.findall(sample)) / len(sample) > 0.05:
        raise BadInput("binary content (control characters), not text")
    return text, encoding


# a valid UTF-8 sequence of two to four bytes; a byte UTF-8 cannot read, as "surrogateescape" decodes it
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_STRAY = re.compile("[\udc80-\udcff]")
MIXED = "utf-8 (stray bytes read as cp1252)"


def _as_cp1252(m: re.Match) -> str:
    b = bytes([ord(m.group()) - 0xDC00])
    return b.decode("cp1252", errors="ignore") or b.decode("latin-1")


def _decode_fallback(data: bytes) -> tuple[str, str]:
    """Text that is not valid UTF-8: mostly UTF-8 with stray legacy bytes (an article pasted together from two
    sources: "Café" in UTF-8 beside "Caf\\xe9") is read as UTF-8 and each stray byte as cp1252; otherwise the
    encoding charset-normalizer finds, else cp1252."""
    if _UTF8_MULTIBYTE.search(data):
        escaped = data.decode("utf-8", errors="surrogateescape")
        stray = len(_STRAY.findall(escaped))
        if len(_UTF8_MULTIBYTE.findall(data)) >= stray:
            return _STRAY.sub(_as_cp1252, escaped), MIXED
    from charset_normalizer import from_bytes

    best = from_bytes(data[: 1 << 20]).best()
    if best is not None and best.encoding not in ("utf_8", "ascii"):
        try:
            return data.decode(best.encoding), best.encoding
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), "utf-8 (invalid bytes replaced)"
