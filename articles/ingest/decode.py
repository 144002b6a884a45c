"""Bytes to text: detect the encoding, refuse what is not text.

Nearly every file is UTF-8, so the fast path is one strict ``bytes.decode``; the slow
statistical detector (charset-normalizer) runs only when that fails.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from articles.ingest.errors import IngestError

# Signatures of binary formats people upload by mistake, checked before anything else so
# the admin hears what the file is, not that its "encoding" is odd.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (or a Word, Excel or OpenDocument file)"),
    (b"PK\x05\x06", "an empty ZIP archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old-style Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a Windows program"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"ID3", "an MP3 file"),
    (b"OggS", "an Ogg media file"),
    (b"\x1a\x45\xdf\xa3", "a video file"),
)
# Formats whose signature sits at an offset: RIFF containers and ISO media.
_RIFF_KINDS = {b"WEBP": "a WebP image", b"WAVE": "a WAV file", b"AVI ": "a video file"}

_BOMS: tuple[tuple[bytes, str, str], ...] = (
    # UTF-32 first: its little-endian BOM starts with the UTF-16 one.
    (codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
    (codecs.BOM_UTF8, "utf-8", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"),
)

# Bytes that do not occur in text in any ASCII-compatible encoding: C0 controls other than
# tab, line feed, vertical tab, form feed, carriage return; and DEL. UTF-8 continuation
# bytes are all >= 0x80, so counting these on raw bytes is valid before decoding.
_CONTROL_BYTES = bytes([*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F])
_TEXT_BYTES = bytes(b for b in range(256) if b not in _CONTROL_BYTES)
# The same after decoding, plus the C1 block (a text decoded as Latin-1 that was not).
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f]")
# Real text may carry a stray control character or two (a pasted form feed, an old
# editor's ^Z); binary has them everywhere: random bytes are ~13% C0 controls.
MAX_CONTROL_RATIO = 0.01

# Bytes that were not UTF-8, as decoded by the "surrogateescape" error handler.
_ESCAPED = re.compile("[\udc80-\udcff]")
# Legacy encodings worth considering for news text. Without a shortlist charset-normalizer
# happily reads a short French paragraph as Baltic DOS (cp775) or Mac Roman.
_LEGACY_CANDIDATES = [
    "cp1252",
    "iso8859_15",
    "cp1250",
    "iso8859_2",
    "cp1251",
    "koi8_r",
    "iso8859_5",
    "cp1253",
    "iso8859_7",
    "cp1254",
    "cp1255",
    "cp1256",
    "cp1257",
    "gb18030",
    "big5",
    "shift_jis",
    "cp932",
    "euc_jp",
    "euc_kr",
    "cp949",
]
# When several encodings read the bytes equally well (cp1250, cp1252 and cp1257 all turn
# 0xE9 into "é"), take the one Western newsrooms actually used.
_PREFERRED_LEGACY = "cp1252"
_CHAOS_TIE = 0.02
_SNIFF = 4096


def decode(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)`` for the bytes of an uploaded file.

    The text has any byte-order mark removed and is otherwise exactly as decoded.
    ``encoding`` is a Python codec name: "utf-8", "utf-8-sig", "utf-16", "utf-16-le",
    "utf-16-be", "utf-32", "cp1252", ...; or "utf-8+cp1252" for UTF-8 with a few stray
    Windows-1252 bytes, which are read as such. Raises IngestError for empty, blank or binary
    files, and for text in no encoding we can recognise.
    """
    if not data:
        raise IngestError("The file is empty.")
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            text = _decode_strict(data[len(bom) :], codec)
            return _checked(text), label
    _refuse_known_binary(data)
    if b"\x00" in data:
        utf16 = _sniff_utf16(data)
        if utf16 is None:
            raise IngestError("The file is binary (it contains NUL bytes), not text.")
        return _checked(_decode_strict(data, utf16)), utf16
    _refuse_control_bytes(data)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text, encoding = _decode_mixed(data) or _decode_legacy(data)
        return _checked(text), encoding
    if not text.strip():
        raise _blank()
    return text, "utf-8"


def _decode_strict(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        name = "-".join(codec.split("-")[:2]).upper()  # "utf-16-le" -> "UTF-16"
        raise IngestError(
            f"The file starts with a {name} byte-order mark but is not valid {name}."
        ) from None


def _refuse_known_binary(data: bytes) -> None:
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            if magic == b"MZ" and b"\x00" not in data[:512]:
                continue  # plain text that happens to start with "MZ"
            if magic == b"BZh" and data[4:10] != b"1AY&SY":
                continue
            raise IngestError(f"The file is {kind}, not text.")
    if data.startswith(b"RIFF") and data[8:12] in _RIFF_KINDS:
        raise IngestError(f"The file is {_RIFF_KINDS[data[8:12]]}, not text.")
    if data[4:8] == b"ftyp":
        raise IngestError("The file is a video or audio file, not text.")


def _sniff_utf16(data: bytes) -> str | None:
    """Name the byte order of BOM-less UTF-16, or None if the NULs do not fit it.

    Text in UTF-16 is mostly Latin script here, so one byte of every pair is NUL: the odd
    ones in little-endian, the even ones in big-endian. Binary files scatter NULs evenly.
    """
    if len(data) % 2:
        return None
    sample = data[:_SNIFF]
    even = sample[0::2]
    odd = sample[1::2]
    pairs = len(even)
    nul_even = even.count(0) / pairs
    nul_odd = odd.count(0) / pairs
    if nul_odd >= 0.7 and nul_even <= 0.02:
        return "utf-16-le"
    if nul_even >= 0.7 and nul_odd <= 0.02:
        return "utf-16-be"
    return None


def _refuse_control_bytes(data: bytes) -> None:
    controls = len(data.translate(None, _TEXT_BYTES))  # what is left are the controls
    if controls > MAX_CONTROL_RATIO * len(data):
        raise _binary_controls()


def _decode_mixed(data: bytes) -> tuple[str, str] | None:
    """UTF-8 with a few stray Windows-1252 bytes (a pasted "caf\\xe9"), or None.

    Copy-and-paste between editors produces such files. Handing them to the detector
    would either refuse them or read every UTF-8 curly quote as mojibake ("â€œ"), so when
    the file is clearly UTF-8 (more valid non-ASCII characters than invalid bytes, and
    the invalid bytes rare) only the invalid bytes are read as Windows-1252.
    """
    text = data.decode("utf-8", "surrogateescape")
    stray = len(_ESCAPED.findall(text))
    non_ascii = sum(1 for character in text if character > "\x7f") - stray
    if non_ascii < stray or stray * 20 > len(text):
        return None
    repaired = _ESCAPED.sub(
        lambda m: bytes([ord(m.group()) - 0xDC00]).decode("cp1252", "replace"), text
    )
    return repaired, "utf-8+cp1252"


def _decode_legacy(data: bytes) -> tuple[str, str]:
    matches = from_bytes(data, cp_isolation=_LEGACY_CANDIDATES)
    best = matches.best()
    if best is None:
        raise IngestError(
            "The file is not valid UTF-8 and its text encoding could not be recognised."
        )
    for match in matches:
        if (
            match.chaos <= best.chaos + _CHAOS_TIE
            and _PREFERRED_LEGACY in match.could_be_from_charset
        ):
            return data.decode(_PREFERRED_LEGACY), _PREFERRED_LEGACY
    return str(best), codecs.lookup(best.encoding).name


def _checked(text: str) -> str:
    if not text.strip():
        raise _blank()
    if len(_CONTROL_CHARS.findall(text)) > MAX_CONTROL_RATIO * len(text):
        raise _binary_controls()
    return text


def _blank() -> IngestError:
    return IngestError("The file contains only blank space, no text.")


def _binary_controls() -> IngestError:
    return IngestError("The file is binary (it is full of control characters), not text.")
