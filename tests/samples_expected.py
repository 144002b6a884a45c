"""samples/EXPECTED.md read into data: per sample file, its title and its labelled blocks
("Remove", "Remove (hard)", "At most once", "Keep"). Plain Python, so that the chrome
evaluation reads the same expectations as tests/articles/test_samples.py."""

import re
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def expectations() -> dict[str, dict]:
    text = (SAMPLES / "EXPECTED.md").read_text(encoding="utf-8")
    files = {}
    for section in re.split(r"^## ", text, flags=re.M)[1:]:
        name, _, rest = section.partition("\n")
        blocks = {
            label: [line.strip() for line in block.strip("\n").splitlines() if line.strip()]
            for label, block in re.findall(r"^([A-Z][^\n:]*):\n```\n(.*?)```", rest, re.M | re.S)
        }
        title = re.search(r"^- Title: (.+)$", rest, re.M).group(1).strip()
        files[name.strip()] = {"title": title, **blocks}
    return files
