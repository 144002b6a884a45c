"""Fetch the pinned front-end libraries into static/vendor/ (not committed).

Each package comes from the npm registry as the exact tarball whose integrity hash is
pinned below; a tarball that does not match is refused. Run by `make install` and the
Dockerfile; safe to run again (it does nothing when the files are already there).
"""

import base64
import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
REGISTRY = "https://registry.npmjs.org"

PACKAGES = [
    {
        "name": "htmx.org",
        "version": "2.0.11",
        "integrity": "sha512-"  # the registry's dist.integrity
        "Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
        # member in the tarball -> file under static/vendor/
        "files": {"package/dist/htmx.min.js": "htmx.min.js", "package/LICENSE": "htmx.LICENSE"},
    },
    {
        # The analysis charts: d3-force for the networks, scales, axes and shapes. The UMD
        # bundle defines the d3 global that Plot's UMD bundle reads.
        "name": "d3",
        "version": "7.9.0",
        "integrity": "sha512-"
        "e1U46jVP+w7Iut8Jt8ri1YsPOvFpg46k+K8TpCb0P+zjCkjkPnV7WzfDJzMHy1LnA+wj5pLT1wjO901gLXeEhA==",
        "files": {"package/dist/d3.min.js": "d3.min.js", "package/LICENSE": "d3.LICENSE"},
    },
    {
        # The timelines. Load it after d3.min.js (it needs the d3 global).
        "name": "@observablehq/plot",
        "version": "0.6.17",
        "integrity": "sha512-"
        "/qaXP/7mc4MUS0s4cPPFASDRjtsWp85/TbfsciqDgU1HwYixbSbbytNuInD8AcTYC3xaxACgVX06agdfQy9W+g==",
        "files": {
            "package/dist/plot.umd.min.js": "plot.umd.min.js",
            "package/LICENSE": "plot.LICENSE",
        },
    },
]


def fetch(package: dict) -> None:
    targets = {member: VENDOR / name for member, name in package["files"].items()}
    if all(path.exists() for path in targets.values()):
        return
    # A scoped package's tarball is named without its scope: @observablehq/plot/-/plot-….tgz
    basename = package["name"].rpartition("/")[2]
    url = f"{REGISTRY}/{package['name']}/-/{basename}-{package['version']}.tgz"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (pinned https URL)
        data = response.read()
    algorithm, _, expected = package["integrity"].partition("-")
    actual = base64.b64encode(hashlib.new(algorithm, data).digest()).decode()
    if actual != expected:
        sys.exit(f"{url}: integrity mismatch ({algorithm} {actual}); refusing it.")
    VENDOR.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for member, path in targets.items():
            extracted = archive.extractfile(member)
            if extracted is None:
                sys.exit(f"{url}: {member} is missing from the package.")
            path.write_bytes(extracted.read())
    print(f"vendored {package['name']} {package['version']} into {VENDOR.relative_to(ROOT)}/")


if __name__ == "__main__":
    for package in PACKAGES:
        fetch(package)
