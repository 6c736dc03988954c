"""Test declarations with versions dated relative to a point the test sets, and people to tell."""

import copy
import datetime
from functools import cache
from pathlib import Path

import yaml

from declaration.selectors import get_declaration

DECLARATION_FILE = Path(__file__).resolve().parents[1] / "declaration.yaml"


@cache
def _real_data() -> dict:
    return yaml.safe_load(DECLARATION_FILE.read_text(encoding="utf-8"))


def version(name: str, date: datetime.date, **fields) -> dict:
    return {
        "version": name,
        "date": date,
        "significant": False,
        "cookies_changed": False,
        "summary": {"en": f"Summary of {name}.", "nb": f"Sammendrag av {name}."},
        **fields,
    }


def declaring(settings, tmp_path):
    """For a test module's `declare` fixture (`yield from declaring(settings, tmp_path)`): put a declaration in force: the real one with the versions given (newest first) and any
    top-level entries replaced; returns it as the site now reads it."""

    def put(versions: list[dict], **replaced) -> object:
        data = copy.deepcopy(_real_data())
        data["versions"] = versions
        for key, value in replaced.items():
            data[key] = value
        path = tmp_path / f"declaration-{len(list(tmp_path.iterdir()))}.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        settings.WEKST_DECLARATION_PATH = str(path)
        get_declaration.cache_clear()
        return get_declaration()

    yield put
    get_declaration.cache_clear()


def controller_at(address: str) -> dict:
    controller = copy.deepcopy(_real_data()["controller"])
    controller["address"] = {"en": address, "nb": address}
    return controller
