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
]


def fetch(package: dict) -> None:
    targets = {member: VENDOR / name for member, name in package["files"].items()}
    if all(path.exists() for path in targets.values()):
        return
    url = f"{REGISTRY}/{package['name']}/-/{package['name']}-{package['version']}.tgz"
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
