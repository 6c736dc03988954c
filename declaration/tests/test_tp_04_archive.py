"""Every published version stays readable at a stable address, with a readable difference
between any two (TP-04; policy §13).

The archive shows the text frozen at publication, so it keeps the old wording after the
declaration changes; the current policy page keeps following the declaration.
"""

import datetime
import re

import pytest
import time_machine
from django.utils import timezone

from declaration.archive import difference
from declaration.publishing import publish_policy
from declaration.tests.versioning import controller_at, declaring, version

pytestmark = pytest.mark.django_db

OLD_ADDRESS = "Harbitzalléen 25, 0275 Oslo, Norway"
NEW_ADDRESS = "Karl Johans gate 1, 0154 Oslo, Norway"


@pytest.fixture
def declare(settings, tmp_path):
    yield from declaring(settings, tmp_path)


@pytest.fixture
def two_versions(declare):
    """Version 2091.1 published 100 days before the test's present, then the YAML changed (a new
    address) and 2091.2 published now."""
    start = timezone.now().replace(microsecond=0)
    today = timezone.localdate(start)
    first = version("2091.1", today - datetime.timedelta(days=100))
    with time_machine.travel(start - datetime.timedelta(days=100), tick=False):
        declare([first], controller=controller_at(OLD_ADDRESS))
        publish_policy()
    with time_machine.travel(start, tick=False):
        declare(
            [
                version(
                    "2091.2",
                    today,
                    summary={"en": "Our address changed.", "nb": "Adressen vår er endret."},
                ),
                first,
            ],
            controller=controller_at(NEW_ADDRESS),
        )
        publish_policy()
        yield start


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def test_tp_04_an_old_version_shows_its_own_text_after_the_declaration_changed(
    client, two_versions
):
    old = client.get("/privacy/versions/2091.1/")
    current = client.get("/privacy/")

    assert old.status_code == 200
    assert "Archived version 2091.1" in text_of(old)
    # The footer is the site's, today; the archived article is the one published then.
    article = text_of(old).split('<article class="policy">', 1)[1].split("</article>", 1)[0]
    assert OLD_ADDRESS in article and NEW_ADDRESS not in article
    assert NEW_ADDRESS in text_of(current)


def test_tp_04_the_norwegian_archive_shows_the_norwegian_text(client, two_versions):
    page = client.get("/nb/privacy/versions/2091.1/")

    assert page.status_code == 200
    assert "Arkivert versjon 2091.1" in text_of(page)
    assert "<h1>Personvernerklæring</h1>" in text_of(page)
    assert "Sammendrag av 2091.1." in text_of(page)


def test_tp_04_the_cookie_policy_of_a_version_is_archived_too(client, two_versions):
    page = client.get("/privacy/versions/2091.1/cookies/")

    assert page.status_code == 200
    assert "<h1>Cookie policy</h1>" in text_of(page)


def test_tp_04_the_archive_lists_every_version_and_the_policy_links_to_it(client, two_versions):
    policy = text_of(client.get("/privacy/"))
    archive = text_of(client.get("/privacy/versions/"))

    assert 'href="/privacy/versions/"' in policy
    assert 'href="/privacy/versions/2091.1/"' in archive
    assert 'href="/privacy/versions/2091.2/"' in archive
    assert 'href="/privacy/versions/2091.1...2091.2/"' in archive
    assert "Our address changed." in archive


def test_tp_04_the_difference_marks_what_was_removed_and_added(client, two_versions):
    page = text_of(client.get("/privacy/versions/2091.1...2091.2/"))

    assert "What changed from version 2091.1 to 2091.2" in page
    removed = re.findall(r"<del>(.*?)</del>", page)
    added = re.findall(r"<ins>(.*?)</ins>", page)
    assert any(OLD_ADDRESS in text for text in removed), removed
    assert any(NEW_ADDRESS in text for text in added), added
    assert all(NEW_ADDRESS not in text for text in removed)
    assert '<span class="visually-hidden">Removed: </span>' in page
    assert '<span class="visually-hidden">Added: </span>' in page


def test_tp_04_the_norwegian_difference_is_in_norwegian(client, two_versions):
    page = text_of(client.get("/nb/privacy/versions/2091.1...2091.2/"))

    assert "Hva som er endret fra versjon 2091.1 til 2091.2" in page
    assert '<span class="visually-hidden">Lagt til: </span>' in page


def test_tp_04_the_compare_form_leads_to_the_difference(client, two_versions):
    response = client.get("/privacy/versions/", {"old": "2091.1", "new": "2091.2"})
    refused = client.get("/privacy/versions/", {"old": "2091.1", "new": "nonsense"})

    assert response.status_code == 302
    assert response["Location"] == "/privacy/versions/2091.1...2091.2/"
    assert refused.status_code == 400
    assert "Choose two different versions" in text_of(refused)


def test_tp_04_an_unknown_version_is_not_found(client, two_versions):
    assert client.get("/privacy/versions/1999.1/").status_code == 404
    assert client.get("/privacy/versions/1999.1...2091.2/").status_code == 404


def test_tp_04_a_difference_folds_long_unchanged_runs_and_keeps_context():
    old = "".join(f"<p>Paragraph {n}.</p>" for n in range(20))
    new = old.replace("<p>Paragraph 10.</p>", "<p>Paragraph ten, reworded.</p>")

    lines = difference(old, new)

    assert [(line.kind, line.text) for line in lines if line.kind in ("added", "removed")] == [
        ("removed", "Paragraph 10."),
        ("added", "Paragraph ten, reworded."),
    ]
    assert [line.text for line in lines if line.kind == "folded"] == ["8", "7"]
    assert [line.text for line in lines if line.kind == "same"] == [
        "Paragraph 8.",
        "Paragraph 9.",
        "Paragraph 11.",
        "Paragraph 12.",
    ]


def test_tp_04_a_version_from_before_the_archive_is_kept_from_its_text_as_published(client):
    # The real declaration, published the day after its current version's date (a point taken
    # from the declaration itself, not from today's date).
    from declaration.selectors import get_declaration

    declaration = get_declaration()
    current, first = declaration.versions[0], declaration.versions[-1]
    day_after = datetime.datetime.combine(
        current.date + datetime.timedelta(days=1), datetime.time(9), tzinfo=datetime.UTC
    )
    with time_machine.travel(day_after, tick=False):
        result = publish_policy()

    assert first.version in result.earlier_recorded
    english = text_of(client.get(f"/privacy/versions/{first.version}/"))
    norwegian = text_of(client.get(f"/nb/privacy/versions/{first.version}/"))
    changes = client.get(f"/privacy/versions/{first.version}...{current.version}/")
    assert "Last updated: 5 June 2026" in english
    assert "Significant changes will be communicated where appropriate." in english
    assert "Denne versjonen ble bare publisert på engelsk." in norwegian
    assert changes.status_code == 200
    assert "<del>" in changes.content.decode() and "<ins>" in changes.content.decode()
    # In Norwegian, both sides in English: a first version in English only is not set against
    # the Norwegian text of the next.
    norwegian_changes = text_of(
        client.get(f"/nb/privacy/versions/{first.version}...{current.version}/")
    )
    assert "så forskjellen vises på engelsk" in norwegian_changes
    assert '<ins><span class="visually-hidden">Lagt til: </span>Privacy policy</ins>' in (
        norwegian_changes
    )


@pytest.mark.django_db
def test_tp_04_a_version_name_that_cannot_be_one_is_not_found_without_a_query(
    client, django_assert_num_queries
):
    with django_assert_num_queries(0):
        assert client.get("/privacy/versions/2026.1%00/").status_code == 404
