# ruff: noqa: RUF001 -- the seeds are typographic news text; their quotes are the data.
"""The five seed pages, as admins will import them: chrome out, every article line kept.

The expectations below were written by reading each seed with ``cat -A``; quoted text is
the least needed to pin a line down. The seeds live outside the repository (README of
../shared/corpus); the tests skip without them.
"""

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from articles.ingest import Cleaned, normalise, process

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "seeds"
pytestmark = pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed corpus is not at {SEEDS}")


@dataclass(frozen=True)
class Seed:
    file: str
    title: str
    chrome: dict[str, str]  # line (or its start) -> reason it is removed for
    kept: list[str]  # fragments that must be in the body
    first: str  # the body's first paragraph starts with this
    last: str  # and its last paragraph ends with this
    extra: dict[str, str] = field(default_factory=dict)


SEED_000 = Seed(
    file="000_34079f22cab0dbd2.txt",
    title=(
        "China, Russia to give ‘international relations entering new era’ statement at Games"
        " meeting, says Kremlin"
    ),
    chrome={
        "Advertisement": "advertisement",
        "China-Russia relations": "section-kicker",
        "Get more with myNEWS": "subscription",
        "A personalised news feed of stories that matter to you": "subscription",
        "Learn more": "subscription",
        "Chinese President Xi Jinping and Russian President Vladimir Putin in Moscow": "caption",
        "Chinese President Xi Jinping talks to Russian President Vladimir Putin via": "caption",
        "As the West pushes them together, Xi and Putin show up for each other": "teaser",
        "24": "comment-count",
    },
    kept=[
        "Xi Jinping, Vladimir Putin to voice ‘common views’ about security",  # standfirst
        "‘China supports Russia’s demands for security guarantees’, a reference to requests",
        "“A joint statement on international relations entering a new era has been prepared"
        " for the talks,” the Kremlin’s top foreign policy adviser Yury Ushakov told reporters",
        "“China supports Russia’s demands for security guarantees,” the adviser added",
        "to discuss “pressing issues and questions”.",
        "In the evening Putin will take part in the opening ceremony of the Olympic Games,"
        " Ushakov added.",
        "But they may attend if invited by the head of state of the host country.",
    ],
    first="Xi Jinping, Vladimir Putin to voice",
    last="over what Western governments argue are widespread rights abuses by China.",
)

SEED_001 = Seed(
    file="001_fde04e360030a667.txt",
    title=(
        "Russian President Vladimir Putin and his Chinese counterpart Xi Jinping are set to"
        " declare the two countries will work…"
    ),
    chrome={},
    kept=[
        "“A joint statement on international relations entering a new era, on global"
        " sustainable development, has been prepared in advance for the talks,” the aide"
        " revealed.",
        "Ushakov said the two nations have “similar and coinciding positions on a large part"
        " of international problems.”",
        "“Since the chairman [Xi] specifically stated that he supports Russia’s demands for"
        " guarantees,",
    ],
    first="Russian President Vladimir Putin and his Chinese counterpart Xi Jinping are set to",
    last="which have pursued integration on military and intelligence-sharing matters.",
)

SEED_002 = Seed(
    file="002_6772020c4fe0e3d6.txt",
    title="Russia’s Putin and China’s Xi will meet in Beijing ahead of Winter Olympics",
    chrome={
        "Related Articles": "related",
        "Leave a Reply": "comment-form",
        "Your email address will not be published. Required fields are marked *": "comment-form",
    },
    kept=[
        "“International strategy coordination among Russia and China depends on close and"
        " matching ways to deal with tackling worldwide and local issues,” Putin composed.",
        "He hailed Russia’s “model” relations with Beijing in a December call with Xi,",
        "Yu said. “Furthermore China has flagged that it would uphold Russia monetarily",
    ],
    first="China’s President Xi Jinping is ready for his first face-to-face meeting",
    last="when Russia and China observe themselves progressively at chances with Western powers.",
    extra={"Russia’s Putin and China’s Xi will meet in Beijing ahead of Winter Olympics": "title"},
)

SEED_003 = Seed(
    file="003_364549702fd5922e.txt",
    title="Kremlin: China will back Russia on security concerns over Ukraine",
    chrome={
        "Putin will visit Beijing on Friday, the opening day of the Winter Olympics.": "caption",
        "Reuters Archive": "photo-credit",
        "READ MORE: Putin: Russia will be dragged into war if Ukraine joins NATO": "read-more",
        "READ MORE: Turkiye, US discuss Ukraine crisis ahead of Erdogan visit": "read-more",
        "Loading...": "loading",
        "Route 6": "trailing-junk",
    },
    kept=[
        "Door still open for talks",  # a crosshead
        '"A joint statement on international relations entering a new era has been prepared'
        ' for the talks," he said,',
        '"China supports Russia\'s demands for security guarantees," Ushakov added.',
        'saying he hoped that "in the end we will find a solution".',
    ],
    first="Russia and China are on the same page regarding Russia's security concerns,",
    last='with a combat mission in the territory of Ukraine."',
)

SEED_004 = Seed(
    file="004_4bc4eefcb2fef158.txt",
    title=(
        "China-Russia ties: Vladimir Putin confirms he will meet Xi Jinping in Beijing for"
        " Belt and Road Forum next month"
    ),
    chrome={
        "Advertisement": "advertisement",
        "Diplomacy": "section-kicker",
        "Get more with myNEWS": "subscription",
        "A personalised news feed of stories that matter to you": "subscription",
        "Learn more": "subscription",
        "Russian President Vladimir Putin (right) and Chinese Foreign Minister Wang Yi shake"
        " hands": "caption",
        "02:26": "video-timestamp",
        "03:27": "video-timestamp",
        "China and Russia hold call after Saudi peace talks over Ukraine": "video-title",
        "Russian lawmaker meets Xi in Beijing, saying Moscow can count on China's 'friendly"
        " shoulder'": "video-title",
        "At UN, Ukraine’s Zelensky says strip ‘criminal’ Russia of veto power": "teaser",
        "China and Russia strengthen cooperation as G7 pushes Beijing to rein in Moscow": "teaser",
        "40": "comment-count",
    },
    kept=[
        "In St Petersburg, Russian president tells Chinese Foreign Minister Wang Yi he will"
        " attend forum,",
        "Nikolai Patrushev, head of the Security Council of Russia, warns China and Mongolia",
        "Putin told Wang the belt and road strategy “fully meets and coincides” with Russia’s"
        " interests, according to the Kremlin.",
        "However, progress has been slow.",
        "“We look forward to strengthening planning and deepening practical cooperation with"
        " China,” the Russian leader was quoted as saying.",
        "where … our positions coincide",
    ],
    first="In St Petersburg, Russian president tells Chinese Foreign Minister Wang Yi",
    last="willing to strengthen political trust with its two neighbours.",
)

ALL_SEEDS = [SEED_000, SEED_001, SEED_002, SEED_003, SEED_004]


@pytest.fixture(scope="module")
def cleaned() -> dict[str, Cleaned]:
    return {
        seed.file: process((SEEDS / seed.file).read_bytes(), name=seed.file) for seed in ALL_SEEDS
    }


def removed_reasons(result: Cleaned, start: str) -> set[str]:
    return {line.reason for line in result.removed if line.line.startswith(start)}


@pytest.mark.parametrize("seed", ALL_SEEDS, ids=lambda seed: seed.file[:3])
def test_title(cleaned, seed):
    assert cleaned[seed.file].title == seed.title


@pytest.mark.parametrize("seed", ALL_SEEDS, ids=lambda seed: seed.file[:3])
def test_chrome_is_gone_for_its_reason(cleaned, seed):
    result = cleaned[seed.file]
    paragraphs = result.body.split("\n\n")
    for line, reason in seed.chrome.items():
        assert not any(paragraph.startswith(line) for paragraph in paragraphs), line
        assert reason in removed_reasons(result, line), (line, removed_reasons(result, line))
    assert result.title not in paragraphs


@pytest.mark.parametrize("seed", ALL_SEEDS, ids=lambda seed: seed.file[:3])
def test_article_text_is_kept(cleaned, seed):
    body = cleaned[seed.file].body
    for fragment in seed.kept:
        assert fragment in body, fragment
    paragraphs = body.split("\n\n")
    assert paragraphs[0].startswith(seed.first)
    assert paragraphs[-1].endswith(seed.last)


@pytest.mark.parametrize("seed", ALL_SEEDS, ids=lambda seed: seed.file[:3])
def test_nothing_vanishes_unrecorded(cleaned, seed):
    result = cleaned[seed.file]
    paragraphs = set(result.body.split("\n\n"))
    removed = {line.line for line in result.removed}
    for line in normalise(result.raw_text).split("\n"):
        if not line:
            continue
        without_bullet = line.removeprefix("• ")  # the standfirst loses its bullet
        assert (
            line in paragraphs
            or without_bullet in paragraphs
            or line == result.title
            or line in removed
        ), line


@pytest.mark.parametrize("seed", ALL_SEEDS, ids=lambda seed: seed.file[:3])
def test_only_chrome_and_the_title_are_removed(cleaned, seed):
    result = cleaned[seed.file]
    expected = {**seed.chrome, **seed.extra, seed.title: "title"}
    for line in result.removed:
        if line.reason == "repeated-line":
            assert line.line in {other.line for other in result.removed if other is not line}
            continue
        assert any(
            line.line.startswith(start) and reason == line.reason
            for start, reason in expected.items()
        ), line


def test_seed_001_has_no_headline_and_keeps_every_line(cleaned):
    result = cleaned[SEED_001.file]
    assert result.removed == ()
    lines = [line for line in normalise(result.raw_text).split("\n") if line]
    assert result.body.split("\n\n") == lines
    assert len(result.title) <= 120


def test_seed_003_crosshead_and_subtitle_stay_between_paragraphs(cleaned):
    paragraphs = cleaned[SEED_003.file].body.split("\n\n")
    door = paragraphs.index("Door still open for talks")
    assert paragraphs[door - 1].startswith("Russia denies any plans to invade")
    assert paragraphs[door + 1].startswith("Russian officials have put forward a series of demands")


def test_seeds_are_utf8_and_the_bodies_are_canonical(cleaned):
    for result in cleaned.values():
        assert result.encoding == "utf-8"
        assert "\n\n\n" not in result.body
        assert result.word_count == len(result.body.split())
        assert normalise(result.body) == result.body
