"""Size of the consent script and style, raw and gzipped, beside cookieconsent v3 (item 8).

Run: .venv/bin/python bench/consent_size.py   (figures recorded in docs/consent.md)
"""

import gzip
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "js": ROOT / "consent" / "static" / "consent" / "consent.js",
    "css": ROOT / "consent" / "static" / "consent" / "consent.css",
}
# orestbida/cookieconsent v3 (its script and its stylesheet), gzipped: the figures given in issue 4,
# not measured here (no download of the package for a benchmark).
COOKIECONSENT_V3_GZIP = {"js": 10_100, "css": 5_300}


def measure(path: Path) -> tuple[int, int]:
    """(raw bytes, gzip bytes at level 9), as a server sending it compressed would roughly send."""
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, compresslevel=9, mtime=0))


def main() -> int:
    total_raw = total_gzip = 0
    print(f"{'file':<12}{'raw':>8}{'gzip':>8}{'cookieconsent v3 gzip':>24}{'share':>8}")
    for kind, path in FILES.items():
        raw, packed = measure(path)
        total_raw += raw
        total_gzip += packed
        theirs = COOKIECONSENT_V3_GZIP[kind]
        print(f"{path.name:<12}{raw:>8}{packed:>8}{theirs:>24}{packed / theirs:>8.0%}")
    theirs = sum(COOKIECONSENT_V3_GZIP.values())
    print(f"{'total':<12}{total_raw:>8}{total_gzip:>8}{theirs:>24}{total_gzip / theirs:>8.0%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
