"""The consent script and style stay small (issue 4, item 8): under a third of cookieconsent v3."""

import runpy
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_consent_assets_are_under_a_third_of_cookieconsent_gzipped(capsys):
    bench = runpy.run_path(str(ROOT / "bench" / "consent_size.py"))

    for kind, path in bench["FILES"].items():
        _, gzipped = bench["measure"](path)
        assert gzipped < bench["COOKIECONSENT_V3_GZIP"][kind] / 3, path.name
    assert bench["main"]() == 0
    assert "consent.js" in capsys.readouterr().out


def test_consent_script_has_no_dependency():
    script = (ROOT / "consent" / "static" / "consent" / "consent.js").read_text()

    assert "import " not in script and "require(" not in script
    assert script.count("https://") == 1  # the Google tag, added after analytics consent only
