"""The generated pages: privacy policy and cookie policy (DEC-02), records of processing (DEC-03).

Every expectation is read from the declaration, so the tests follow it when it changes: a purpose,
recipient, cookie or version added to the YAML must show up on the pages without touching this file.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import formats, translation

from declaration.policy import LEGAL_BASIS_NAMES, safeguard_description
from declaration.records import COLUMNS
from declaration.selectors import get_declaration

LANGUAGES = ["en", "nb"]

# The seed policy's sections, in its order (§1-§14), with the right to object as its own section
# after §8 (GDPR Art. 21(4)): the anchor id and the heading's text as written in the template.
SECTIONS = [
    ("who-we-are", "Who we are"),
    ("scope", "Scope"),
    ("what-we-collect", "What personal data we collect, and why"),
    ("legal-bases", "Legal bases for processing"),
    ("sharing", "Who we share your data with"),
    ("transfers", "International transfers"),
    ("retention", "How long we keep your data"),
    ("your-rights", "Your rights"),
    ("right-to-object", "Your right to object"),
    ("complaints", "Right to complain"),
    ("automated-decisions", "Automated decision-making and profiling"),
    ("security", "Data security and breaches"),
    ("children", "Children"),
    ("changes", "Changes to this policy"),
    ("contact", "Contact"),
]


# --- a small HTML reader: the tests look at what a visitor reads, not at template source ---

VOID_ELEMENTS = {"br", "hr", "img", "input", "link", "meta", "source", "wbr", "col", "area"}


@dataclass
class Element:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)

    def text(self) -> str:
        parts = [c if isinstance(c, str) else f" {c.text()} " for c in self.children]
        return " ".join("".join(parts).split())

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Element):
                yield from child.iter()

    def find(self, **attrs) -> "Element":
        tag = attrs.pop("tag", None)
        for element in self.iter():
            if (tag is None or element.tag == tag) and all(
                element.attrs.get(k) == v for k, v in attrs.items()
            ):
                return element
        raise AssertionError(f"no element with {tag or ''} {attrs}")

    def find_all(self, tag: str) -> list["Element"]:
        return [element for element in self.iter() if element.tag == tag]


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.stack[-1].children.append(element)
        if tag not in VOID_ELEMENTS:
            self.stack.append(element)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def parse(response) -> Element:
    assert response.status_code == 200
    builder = _TreeBuilder()
    builder.feed(response.content.decode())
    return builder.root


def squash(text: str) -> str:
    return " ".join(str(text).split())


def policy_url(name: str, language: str) -> str:
    with translation.override(language):
        return reverse(f"declaration:{name}")


def localised_date(value, language: str) -> str:
    with translation.override(language):
        return formats.date_format(value, "DATE_FORMAT")


def translated(message: str, language: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


# --- the privacy policy (DEC-02) ---


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_privacy_policy_covers_every_seed_section_in_order_with_anchors(client, language):
    page = parse(client.get(policy_url("privacy_policy", language)))
    headings = [h.text() for h in page.find_all("h2")]
    positions = []
    for anchor, heading in SECTIONS:
        section = page.find(tag="section", id=anchor)
        title = section.find(tag="h2").text()
        assert translated(heading, language) in title, (anchor, title)
        positions.append(headings.index(title))
    assert positions == sorted(positions), "the sections are out of the seed policy's order"


def test_dec_02_privacy_policy_in_norwegian_has_no_english_section_heading(client):
    page = parse(client.get(policy_url("privacy_policy", "nb")))
    headings = " | ".join(h.text() for h in page.find_all("h2") + page.find_all("h3"))
    for _anchor, heading in SECTIONS:
        assert translated(heading, "nb") != heading, f"{heading!r} is not translated"
        assert heading not in headings
    assert page.find(tag="html").attrs["lang"] == "nb"


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_privacy_policy_shows_last_updated_with_the_current_version_date(client, language):
    declaration = get_declaration()
    page = parse(client.get(policy_url("privacy_policy", language)))
    meta = page.find(tag="h1").text(), page.find(tag="p", **{"class": "meta"}).text()
    expected = f"{translated('Last updated', language)}: " + localised_date(
        declaration.current.date, language
    )
    assert expected in meta[1]
    assert declaration.current.version in meta[1]
    if language == "nb":
        assert "Sist oppdatert" in meta[1]
    else:
        assert "Last updated" in meta[1]


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_privacy_policy_names_the_controller_in_who_we_are_and_contact(client, language):
    controller = get_declaration().controller
    page = parse(client.get(policy_url("privacy_policy", language)))
    for anchor in ("who-we-are", "contact"):
        text = page.find(tag="section", id=anchor).text()
        address = controller.address.in_language(language)
        for value in (controller.legal_name, controller.org_number, address):
            assert value in text, (anchor, value)
        assert controller.email in text
    assert page.find(tag="a", href=f"mailto:{controller.email}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_privacy_policy_scope_lists_every_subject_category(client, language):
    declaration = get_declaration()
    text = parse(client.get(policy_url("privacy_policy", language))).find(id="scope").text()
    for subject in declaration.subject_categories.values():
        assert squash(subject.name.in_language(language)) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_privacy_policy_gives_the_art_13_items_for_every_activity(client, language):
    declaration = get_declaration()
    page = parse(client.get(policy_url("privacy_policy", language)))
    for activity in declaration.activities.values():
        text = page.find(tag="section", id=f"activity-{activity.key}").text()
        assert squash(activity.name.in_language(language)) in text
        assert squash(activity.purpose.in_language(language)) in text
        assert squash(activity.source.in_language(language)) in text
        assert squash(activity.required.in_language(language)) in text
        assert activity.legal_basis_article.in_language(language) in text
        # Exactly what this activity collects, not each category's generic examples (issue 16).
        listed = [li.text() for li in page.find(id=f"activity-{activity.key}").find_all("li")]
        assert listed == [
            squash(
                f"{declaration.data_categories[key].name.in_language(language)}: "
                f"{collected.in_language(language)}"
            )
            for key, collected in activity.data_collected.items()
        ]
        for recipient in declaration.recipients_of(activity):
            assert recipient.name.in_language(language) in text
        rule = declaration.retention_rules[activity.retention]
        assert squash(rule.description.in_language(language)) in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_legal_bases_table_maps_each_activity_to_its_article_and_interest(client, language):
    declaration = get_declaration()
    table = parse(client.get(policy_url("privacy_policy", language))).find(id="legal-bases")
    rows = {
        row.find(tag="th").text(): row.text() for row in table.find_all("tr") if row.find_all("td")
    }
    assert len(rows) == len(declaration.activities)
    for activity in declaration.activities.values():
        row = rows[squash(activity.name.in_language(language))]
        assert activity.legal_basis_article.in_language(language) in row
        with translation.override(language):
            assert squash(LEGAL_BASIS_NAMES[activity.legal_basis]) in row
        if activity.legitimate_interest:
            assert squash(activity.legitimate_interest.in_language(language)) in row
    for th in table.find_all("th"):
        assert th.attrs.get("scope") in {"col", "row"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_sharing_groups_recipients_by_role_and_says_we_do_not_sell(client, language):
    declaration = get_declaration()
    sharing = parse(client.get(policy_url("privacy_policy", language))).find(id="sharing")
    assert translated("We do not sell your personal data.", language) in sharing.text()
    for recipient in declaration.recipients.values():
        group = sharing.find(
            tag="section", **{"aria-labelledby": f"sharing-{recipient.role}-heading"}
        )
        name = recipient.name.in_language(language)
        assert name in group.text(), (recipient.key, recipient.role)
        others = [r for r in declaration.recipients.values() if r.role != recipient.role]
        for other in others:
            other_name = (
                f"{other.name.in_language(language)} {other.legal_entity.in_language(language)}"
            )
            assert other_name not in group.text()
    processors = sharing.find(tag="section", **{"aria-labelledby": "sharing-processor-heading"})
    assert "(GDPR Art. 28)" in processors.text() or "art. 28" in processors.text()


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_transfers_name_each_non_eea_recipient_its_safeguard_and_how_to_get_a_copy(
    client, language
):
    declaration = get_declaration()
    transfers = parse(client.get(policy_url("privacy_policy", language))).find(id="transfers")
    rows = {row.find(tag="th").text(): row.text() for row in transfers.find_all("tr")[1:]}
    outside = [r for r in declaration.recipients.values() if r.transfers_outside_eea]
    assert outside, "the declaration has transfers; the section must list them"
    assert len(rows) == len(outside)
    for recipient in outside:
        name = recipient.name.in_language(language)
        row = rows[f"{name} {recipient.legal_entity.in_language(language)}"]
        with translation.override(language):
            assert squash(safeguard_description(recipient)) in row
        if recipient.transfer_safeguard == "dpf":
            # The certified entity, which may not be the contracting one (PT-05).
            assert recipient.dpf_entity in row
    assert transfers.find(tag="a", href=f"mailto:{declaration.controller.email}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_retention_lists_every_retention_rule(client, language):
    declaration = get_declaration()
    text = parse(client.get(policy_url("privacy_policy", language))).find(id="retention").text()
    for rule in declaration.retention_rules.values():
        assert squash(rule.description.in_language(language)) in text


def test_dec_02_rights_promise_one_month_an_extension_with_notice_and_an_identity_check(client):
    text = parse(client.get(policy_url("privacy_policy", "en"))).find(id="your-rights").text()
    for right in ("access", "rectified", "erased", "restricted", "portability", "withdraw"):
        assert right in text
    assert "within one month" in text
    assert "up to two further months" in text and "Art. 12(3)" in text
    assert "confirm your identity" in text


def test_dec_02_right_to_object_is_a_separate_section_naming_legitimate_interest_activities(
    client,
):
    declaration = get_declaration()
    page = parse(client.get(policy_url("privacy_policy", "en")))
    rights = page.find(tag="section", id="your-rights")
    assert not any(e.attrs.get("id") == "right-to-object" for e in rights.iter())
    objection = page.find(tag="section", id="right-to-object")
    assert objection.find(tag="h2").text() == "Your right to object"
    text = objection.text()
    assert "direct marketing" in text and "Art. 21" in text
    for activity in declaration.activities.values():
        named = activity.name.en in text
        assert named == (activity.legal_basis == "legitimate_interests"), activity.key


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_complaints_section_gives_the_supervisory_authority(client, language):
    authority = get_declaration().supervisory_authority
    section = parse(client.get(policy_url("privacy_policy", language))).find(id="complaints")
    for value in (authority.name, authority.website, authority.address.in_language(language)):
        assert value in section.text()
    assert section.find(tag="a", href=authority.website)


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_profiling_section_explains_marketing_profiling_only_after_consent(client, language):
    declaration = get_declaration()
    text = (
        parse(client.get(policy_url("privacy_policy", language)))
        .find(id="automated-decisions")
        .text()
    )
    profiling = declaration.activities["advertising"]
    assert squash(profiling.purpose.in_language(language)) in text
    article = profiling.legal_basis_article.in_language(language)
    assert profiling.legal_basis == "consent" and article in text
    for recipient in declaration.recipients_of(profiling):
        assert recipient.name.in_language(language) in text
    assert "Art. 22" in text or "art. 22" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_security_section_lists_measures_and_the_72_hour_notification(client, language):
    declaration = get_declaration()
    text = parse(client.get(policy_url("privacy_policy", language))).find(id="security").text()
    for measure in declaration.security_measures:
        assert squash(measure.in_language(language)) in text
    assert "72" in text
    assert declaration.supervisory_authority.name in text


def test_dec_02_children_section_keeps_the_policys_age_of_16(client):
    text = parse(client.get(policy_url("privacy_policy", "en"))).find(id="children").text()
    assert get_declaration().children.age_of_consent == 16
    assert "under 16" in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_change_history_lists_every_version_with_date_summary_and_significance(
    client, language
):
    declaration = get_declaration()
    table = parse(client.get(policy_url("privacy_policy", language))).find(id="changes")
    rows = {row.find(tag="th").text(): row.text() for row in table.find_all("tr")[1:]}
    assert list(rows) == [v.version for v in declaration.versions]
    for version in declaration.versions:
        row = rows[version.version]
        assert localised_date(version.date, language) in row
        assert squash(version.summary.in_language(language)) in row
        assert row.endswith(translated("Yes" if version.significant else "No", language))


def test_dec_02_privacy_policy_has_no_inline_script_or_style(client):
    page = parse(client.get(policy_url("privacy_policy", "en")))
    # External scripts (the consent script) are allowed; inline code would need 'unsafe-inline'.
    assert not [s for s in page.find_all("script") if "src" not in s.attrs]
    assert page.find_all("script"), "the page should load the external consent script"
    assert not page.find_all("style")
    assert not [e for e in page.iter() if "style" in e.attrs]


# --- the cookie policy (DEC-02) ---


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_cookie_policy_lists_every_declared_cookie_in_its_category(client, language):
    declaration = get_declaration()
    page = parse(client.get(policy_url("cookie_policy", language)))
    for cookie in declaration.cookies:
        section = page.find(tag="section", id=f"cookies-{cookie.category}")
        rows = {row.find(tag="th").text(): row.text() for row in section.find_all("tr")[1:]}
        row = rows[cookie.name]
        assert cookie.provider in row
        assert squash(cookie.purpose.in_language(language)) in row
        assert squash(cookie.lifetime.in_language(language)) in row
        party = "First party (our website)" if cookie.party == "first" else "Third party"
        assert translated(party, language) in row


@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_cookie_policy_shows_last_updated_ga4_retention_and_links_the_privacy_policy(
    client, language
):
    declaration = get_declaration()
    page = parse(client.get(policy_url("cookie_policy", language)))
    meta = page.find(tag="p", **{"class": "meta"}).text()
    assert f"{translated('Last updated', language)}: " in meta
    assert localised_date(declaration.current.date, language) in meta
    ga4 = declaration.retention_rules["analytics_ga4"]
    assert (
        squash(ga4.description.in_language(language)) in page.find(id="analytics-retention").text()
    )
    main = page.find(tag="main")
    assert main.find(tag="a", href=policy_url("privacy_policy", language))
    assert "Global Privacy Control" in main.text()


def test_dec_02_cookie_policy_says_non_necessary_cookies_wait_for_consent_and_how_to_withdraw(
    client,
):
    text = parse(client.get(policy_url("cookie_policy", "en"))).find(tag="main").text()
    assert "stays off until you give your consent" in text
    assert "on every page" in text and "withdraw" in text


# --- both policies are reachable from the home page, in both languages (DEC-02, TP-03) ---


# The home page's text is a page staff write (content.Page): it reads the database.
@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_dec_02_home_page_links_both_policy_pages(client, language):
    with translation.override(language):
        home = reverse("content:home")
    main = parse(client.get(home)).find(tag="main")
    for name, label in (("privacy_policy", "Privacy policy"), ("cookie_policy", "Cookie policy")):
        link = main.find(tag="a", href=policy_url(name, language))
        assert link.text() == translated(label, language)
        assert client.get(link.attrs["href"]).status_code == 200


# --- the records of processing (DEC-03) ---


@pytest.mark.django_db
def test_dec_03_records_page_requires_staff(client, django_user_model):
    url = reverse("declaration_admin:records")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    user = django_user_model.objects.create_user(username="visitor", password="x" * 20)
    client.force_login(user)
    assert client.get(url).status_code == 302
    assert client.get(reverse("declaration_admin:records_csv")).status_code == 302


@pytest.mark.django_db
def test_dec_03_records_page_shows_every_activity_with_version_controller_and_csv_link(
    staff_client,
):
    declaration = get_declaration()
    page = parse(staff_client.get(reverse("declaration_admin:records")))
    table = page.find(tag="table", id="records-of-processing")
    assert [th.text() for th in table.find(tag="thead").find_all("th")] == list(COLUMNS)
    for activity in declaration.activities.values():
        row = table.find(tag="tr", id=f"record-{activity.key}").text()
        assert activity.name.en in row
        assert activity.legal_basis_article.in_language("en") in row
    text = page.find(id="content").text()
    assert declaration.current.version in text
    assert declaration.controller.legal_name in text and declaration.controller.org_number in text
    assert page.find(tag="a", href=reverse("declaration_admin:records_csv"))


@pytest.mark.django_db
def test_dec_03_records_csv_has_the_art_30_header_and_one_row_per_activity(staff_client):
    declaration = get_declaration()
    response = staff_client.get(reverse("declaration_admin:records_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8"))))
    assert rows[0] == list(COLUMNS)
    body = rows[1:]
    assert len(body) == len(declaration.activities)
    basis = COLUMNS.index("Legal basis")
    for row, activity in zip(body, declaration.activities.values(), strict=True):
        assert len(row) == len(COLUMNS)
        assert row[0] == activity.name.en
        assert activity.legal_basis_article.in_language("en") in row[basis]


@pytest.mark.django_db
def test_dec_03_admin_index_links_the_records_of_processing(staff_client):
    page = parse(staff_client.get(reverse("admin:index")))
    assert page.find(tag="a", href=reverse("declaration_admin:records"))
    assert page.find(tag="a", href=reverse("declaration_admin:records_csv"))
    assert page.find(id="content-main"), "the admin's own app list is still there"


# --- the Norwegian catalogue (DEC-02) ---

PO_FILE = Path(settings.BASE_DIR) / "locale" / "nb" / "LC_MESSAGES" / "django.po"


def _po_entries(path: Path) -> list[dict]:
    """The .po file's entries: msgid, msgid_plural, msgstr / msgstr[n], and flags."""
    entries = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        entry, key = {"flags": ""}, None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"] += line
            elif line.startswith("#"):
                continue
            elif match := re.match(
                r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line
            ):
                key = match.group(1)
                entry[key] = match.group(2)
            else:
                entry[key] += line.strip()[1:-1]
        entries.append(entry)
    return entries


def _unescape(po_string: str) -> str:
    escapes = {"n": "\n", "t": "\t"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), po_string)


def test_dec_02_norwegian_catalogue_has_no_untranslated_or_fuzzy_entries():
    entries = [e for e in _po_entries(PO_FILE) if e.get("msgid")]
    assert entries
    for entry in entries:
        assert "fuzzy" not in entry["flags"], entry["msgid"]
        translations = [v for k, v in entry.items() if k.startswith("msgstr")]
        assert translations and all(translations), f"untranslated: {entry['msgid']!r}"


def test_dec_02_compiled_norwegian_catalogue_matches_the_po_file():
    with translation.override("nb"):
        for entry in _po_entries(PO_FILE):
            if not entry.get("msgid") or "msgid_plural" in entry or "msgctxt" in entry:
                continue
            msgid, msgstr = _unescape(entry["msgid"]), _unescape(entry["msgstr"])
            assert translation.gettext(msgid) == msgstr, f"django.mo is stale for {msgid!r}"
