import pytest

from articles.names import normalise_alias


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Vladimir Putin", "vladimir putin"),
        ("  Vladimir \n PUTIN, ", "vladimir putin"),
        ("\u201cthe Kremlin\u201d", "the kremlin"),
        ("Mr. Putin", "mr. putin"),  # inner punctuation is part of the spelling
        ("\uff35\uff2e", "un"),  # full-width letters fold under NFKC
        ("Straße", "strasse"),
        ("Yury Ushakov", "yury ushakov"),  # a different spelling stays different
        (" ,;. ", ""),
    ],
)
def test_normalise_alias(given, expected):
    assert normalise_alias(given) == expected
