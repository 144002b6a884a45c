"""`python -m articles.nlp.extract FILE ...`: one JSON line per file and nothing else."""

import json
import subprocess
import sys
from pathlib import Path

from tests.data import texts

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "articles.nlp.extract", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_prints_one_json_line_per_file_with_offsets_into_the_text_as_given(tmp_path):
    one = tmp_path / "one.txt"
    # As given: a BOM-less file with CRLF-free text and page furniture left in.
    one.write_text("Advertisement\n\n" + texts.ARTICLE_ONE, encoding="utf-8")
    two = tmp_path / "two.txt"
    two.write_text(texts.ARTICLE_TWO, encoding="utf-8")

    result = run(str(one), str(two))

    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2, "nothing but the JSON lines on standard output"
    records = [json.loads(line) for line in lines]
    assert [r["file"] for r in records] == [str(one), str(two)]
    text = one.read_text(encoding="utf-8")
    record = records[0]
    assert set(record) == {"file", "entities", "quotes", "stances"}
    for entity in record["entities"]:
        assert set(entity) == {"start", "end", "text", "kind", "canonical"}
        assert text[entity["start"] : entity["end"]] == entity["text"]
    assert record["quotes"], "the article has quotes"
    for quote in record["quotes"]:
        assert set(quote) == {
            "start",
            "end",
            "text",
            "kind",
            "cue",
            "speaker",
            "speaker_start",
            "speaker_end",
        }
        assert text[quote["start"] : quote["end"]] == quote["text"]
        assert quote["kind"] in ("direct", "indirect", "mixed")
    varga = next(q for q in record["quotes"] if q["text"].startswith('"We have a text'))
    assert varga["speaker"] == "Elena Varga"
    assert text[varga["speaker_start"] : varga["speaker_end"]] == "Foreign Minister Elena Varga"


def test_prints_the_stances_the_text_states(tmp_path):
    one = tmp_path / "one.txt"
    one.write_text(
        "Foreign Minister Elena Varga condemned Russia on Tuesday for the attack on the port."
        "\n\nThe talks will resume in Geneva next week, officials said.\n",
        encoding="utf-8",
    )
    result = run(str(one))
    assert result.returncode == 0, result.stderr
    (stance,) = json.loads(result.stdout)["stances"]
    text = one.read_text(encoding="utf-8")
    assert text[stance["start"] : stance["end"]] == stance["text"]
    assert text[stance["holder_start"] : stance["holder_end"]] == "Elena Varga"
    assert (stance["holder"], stance["polarity"], stance["cue"], stance["target"]) == (
        "Elena Varga",
        "oppose",
        "condemned",
        "Russia",
    )


def test_a_missing_or_undecodable_file_is_a_clear_error_and_prints_nothing(tmp_path):
    missing = run(str(tmp_path / "nope.txt"))
    assert missing.returncode == 2
    assert missing.stdout == ""
    assert "no such file" in missing.stderr

    latin = tmp_path / "latin.txt"
    latin.write_bytes("Caf\xe9 talks".encode("latin-1"))
    undecodable = run(str(latin))
    assert undecodable.returncode == 2
    assert undecodable.stdout == ""
    assert "is not UTF-8 text" in undecodable.stderr
