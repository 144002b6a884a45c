"""Exact and near-duplicate keys: hashes, MinHash signatures and LSH bands."""

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from articles.ingest import (
    NEAR_DUPLICATE_THRESHOLD,
    NUM_BANDS,
    NUM_PERM,
    ROWS_PER_BAND,
    SIGNATURE_BYTES,
    content_hash,
    estimate_similarity,
    lsh_bands,
    minhash,
    process,
    signature_from_bytes,
    signature_to_bytes,
)

ROOT = Path(__file__).resolve().parents[2]
ARTICLE = (ROOT / "tests" / "data" / "ingest" / "article.txt").read_text(encoding="utf-8")
SEEDS = ROOT.parent / "shared" / "corpus" / "seeds"

ORIGINAL_PAGE = (
    "Advertisement\nCoastal affairs\nGet more with myNEWS\nLearn more\n\n"
    + ARTICLE
    + "\nRelated Articles\n\nLighthouse keepers return to the northern cape\n\nLeave a Reply\n24"
)
REPRINT_PAGE = (
    "Harbour Gazette | Regional news\n\n"
    + ARTICLE.replace(
        "Officials in Saltmere said at the time that nobody had told them.",
        "At the time, the mayor of Saltmere complained that nobody up the coast had warned them.",
    )
    + "\nThis story first appeared in the Varnholm Courier and is republished with permission.\n\n"
    "Share this article\nLoading..."
)


def test_content_hash_is_sha256_of_the_utf8_body():
    body = "Café “quoted”."
    assert content_hash(body) == hashlib.sha256(body.encode("utf-8")).hexdigest()
    assert re.fullmatch(r"[0-9a-f]{64}", content_hash(body))


def test_same_body_from_differently_dressed_pages_has_the_same_hash():
    chromed = process(ORIGINAL_PAGE.encode())
    plain = process(ARTICLE.encode("utf-16"))
    assert chromed.body == plain.body
    assert chromed.content_hash == plain.content_hash


def test_signature_shape_and_type():
    signature = minhash(ARTICLE)
    assert signature.shape == (NUM_PERM,)
    assert str(signature.dtype) == "uint64"
    assert NUM_BANDS * ROWS_PER_BAND == NUM_PERM


def test_signature_is_deterministic_across_processes():
    code = (
        "import sys; from articles.ingest import minhash, signature_to_bytes;"
        "sys.stdout.write(signature_to_bytes(minhash(sys.stdin.read())).hex())"
    )
    outputs = set()
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", code],
            input=ARTICLE,
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        outputs.add(result.stdout)
    assert outputs == {signature_to_bytes(minhash(ARTICLE)).hex()}


def test_signature_values_are_pinned():
    # Signatures and band keys are stored. If this fails after an upgrade of datasketch or
    # numpy, every stored signature must be recomputed before the new code goes live.
    signature = minhash(
        "Port officials from the three harbour states agreed on Monday to pool their"
        " tide-gauge readings."
    )
    assert [int(value) for value in signature[:3]] == [
        2778344348426413577,
        51369486195010816,
        1339276665114383282,
    ]
    assert lsh_bands(signature)[:2] == ["00:8594d0e2d7da6b17", "01:fa0df6f3b5b69df2"]


def test_signature_ignores_case_and_punctuation():
    assert (
        estimate_similarity(
            minhash("Putin\u2019s talks with Xi, in Beijing, ended on Friday."),
            minhash("putin's talks with xi in beijing ended on friday"),
        )
        == 1.0
    )


def test_signature_round_trips_through_bytes():
    signature = minhash(ARTICLE)
    data = signature_to_bytes(signature)
    assert len(data) == SIGNATURE_BYTES
    assert (signature_from_bytes(data) == signature).all()
    with pytest.raises(ValueError, match="signature is 1024 bytes"):
        signature_from_bytes(data[:-8])


def test_bands_are_stable_short_keys_one_per_band():
    bands = lsh_bands(minhash(ARTICLE))
    assert len(bands) == NUM_BANDS
    assert all(re.fullmatch(r"\d{2}:[0-9a-f]{16}", band) for band in bands)
    assert [band[:2] for band in bands] == [f"{i:02d}" for i in range(NUM_BANDS)]
    assert bands == lsh_bands(signature_from_bytes(signature_to_bytes(minhash(ARTICLE))))


def test_a_reprint_with_other_chrome_and_an_edited_sentence_is_a_near_duplicate():
    original = process(ORIGINAL_PAGE.encode())
    reprint = process(REPRINT_PAGE.encode())
    assert original.content_hash != reprint.content_hash

    a, b = minhash(original.body), minhash(reprint.body)

    assert estimate_similarity(a, b) >= NEAR_DUPLICATE_THRESHOLD
    assert set(lsh_bands(a)) & set(lsh_bands(b))


def test_identical_bodies_score_one_and_share_every_band():
    a, b = minhash(ARTICLE), minhash(ARTICLE)
    assert estimate_similarity(a, b) == 1.0
    assert lsh_bands(a) == lsh_bands(b)


def test_short_and_empty_bodies_still_have_signatures():
    assert estimate_similarity(minhash("Talks end."), minhash("talks end")) == 1.0
    assert estimate_similarity(minhash("Talks end."), minhash("Talks begin.")) < 0.2
    assert minhash("").shape == (NUM_PERM,)


def test_signatures_of_different_lengths_are_refused():
    with pytest.raises(ValueError, match="128 values"):
        estimate_similarity(minhash(ARTICLE), minhash(ARTICLE)[:64])


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed corpus is not at {SEEDS}")
def test_two_outlets_covering_one_story_are_not_near_duplicates():
    scmp = process((SEEDS / "000_34079f22cab0dbd2.txt").read_bytes())
    trt = process((SEEDS / "003_364549702fd5922e.txt").read_bytes())
    similarity = estimate_similarity(minhash(scmp.body), minhash(trt.body))
    assert similarity < NEAR_DUPLICATE_THRESHOLD / 4
