"""Bytes to text: encodings we read, files we refuse, and what the admin is told."""

import codecs
import gzip
import importlib
import random

import pytest

from articles.ingest import IngestError, decode, process

TEXT = "Le café à Zürich — “quoted” text, naïve façade.\nSecond line.\n"


def test_utf8_is_read_as_is():
    assert decode(TEXT.encode("utf-8")) == (TEXT, "utf-8")


def test_utf8_byte_order_mark_is_removed():
    assert decode(codecs.BOM_UTF8 + TEXT.encode("utf-8")) == (TEXT, "utf-8-sig")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_byte_order_mark(codec):
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    assert decode(bom + TEXT.encode(codec)) == (TEXT, "utf-16")


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark_is_recognised_by_its_nul_bytes(codec):
    assert decode(TEXT.encode(codec)) == (TEXT, codec)


def test_utf32_with_byte_order_mark():
    assert decode(codecs.BOM_UTF32_LE + TEXT.encode("utf-32-le")) == (TEXT, "utf-32")


def test_cp1252_keeps_accents_curly_quotes_and_dashes():
    data = b"Le caf\xe9 de Z\xfcrich \x93ferme\x94 \x97 pour l\xe9t\xe9.\n"
    assert {0x93, 0x94, 0x97} <= set(data)  # cp1252's curly quotes and em dash

    text, encoding = decode(data)

    assert text == "Le café de Zürich “ferme” — pour lété.\n"
    assert encoding == "cp1252"


def test_cp1252_paragraph_with_a_euro_sign_and_ellipsis():
    text = "Der Preis stieg auf 5 € … sagte die Ministerin in München, „überraschend“.\n"
    assert decode(text.encode("cp1252")) == (text, "cp1252")


def test_cyrillic_cp1251_is_detected():
    text = "Президент заявил в среду, что переговоры продолжатся в Москве на следующей неделе.\n"
    decoded, encoding = decode(text.encode("cp1251"))
    assert decoded == text
    assert encoding == "cp1251"


def test_utf8_with_a_few_stray_cp1252_bytes_keeps_both():
    data = "“Quoted,” she said in Zürich. ".encode() * 3 + b"A caf\xe9 \x93sign\x94.\n"

    text, encoding = decode(data)

    assert text == "“Quoted,” she said in Zürich. " * 3 + "A café “sign”.\n"
    assert encoding == "utf-8+cp1252"


def test_valid_utf8_never_reaches_the_statistical_detector(monkeypatch):
    module = importlib.import_module("articles.ingest.decode")

    def refuse(*args, **kwargs):
        raise AssertionError("charset-normalizer was called on valid UTF-8")

    monkeypatch.setattr(module, "from_bytes", refuse)
    assert decode(TEXT.encode("utf-8"))[1] == "utf-8"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The file is empty."),
        (b"  \n\t\r\n   \n", "The file contains only blank space, no text."),
        (codecs.BOM_UTF8 + b" \n ", "The file contains only blank space, no text."),
        (
            b"Some text\x00with a NUL in it.\n",
            "The file is binary (it contains NUL bytes), not text.",
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "The file is a PNG image, not text."),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "The file is a PDF document, not text."),
        (
            b"PK\x03\x04\x14\x00\x06\x00word/document.xml",
            "The file is a ZIP archive (or a Word, Excel or OpenDocument file), not text.",
        ),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "The file is a JPEG image, not text."),
        (gzip.compress(b"an article"), "The file is a gzip archive, not text."),
    ],
)
def test_refusals_say_what_is_wrong(data, message):
    with pytest.raises(IngestError) as caught:
        decode(data)
    assert str(caught.value) == message


def test_random_bytes_are_refused_as_binary():
    rng = random.Random(20220203)
    for size in (64, 300, 5000):
        data = bytes(rng.randrange(256) for _ in range(size)).replace(b"\x00", b"\x01")
        with pytest.raises(IngestError) as caught:
            decode(data)
        assert "binary" in str(caught.value)


def test_text_full_of_control_characters_is_refused():
    data = b"Hello\x01\x02\x03\x04 world\x05\x06\x07\x08\x0e\x0f" * 20
    with pytest.raises(IngestError, match="control characters"):
        decode(data)


def test_a_stray_control_character_in_real_text_is_tolerated():
    data = ("A long paragraph of ordinary prose. " * 10 + "\x0c" + "More prose.\n").encode()
    assert decode(data)[0].startswith("A long paragraph")


def test_byte_order_mark_over_invalid_utf8_is_refused():
    with pytest.raises(IngestError, match="UTF-8 byte-order mark but is not valid UTF-8"):
        decode(codecs.BOM_UTF8 + b"caf\xe9 \x93quoted\x94")


def test_plain_text_starting_with_mz_is_not_mistaken_for_a_program():
    assert decode(b"MZ Holdings reported profits on Tuesday.\n")[1] == "utf-8"


def test_process_attaches_the_file_name_to_the_error_but_not_to_the_message():
    with pytest.raises(IngestError) as caught:
        process(b"", name="batch/empty.txt")
    assert caught.value.name == "batch/empty.txt"
    assert str(caught.value) == "The file is empty."
    assert isinstance(caught.value, ValueError)
