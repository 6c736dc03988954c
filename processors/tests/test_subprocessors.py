"""The published sub-processor list, generated from the declaration and the register (PRO-01)."""

import pytest

from declaration.selectors import get_declaration
from processors.testing import put_on_record

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("prefix", ["", "/nb"])
def test_pro_01_the_subprocessor_list_names_every_processor_of_the_declaration(client, prefix):
    put_on_record("website_host")

    response = client.get(f"{prefix}/subprocessors/")

    assert response.status_code == 200
    html = response.content.decode()
    for recipient in get_declaration().recipients.values():
        assert f'id="recipient-{recipient.key}"' in html
    assert "Hetzner Online GmbH" in html
    # Trafft: run from Serbia, a transfer under SCCs; its agreement is not on record yet.
    trafft_row = html.split('id="recipient-trafft"')[1].split("</tr>")[0]
    assert "Serbia" in trafft_row
    assert "46" in trafft_row  # the SCCs, GDPR Art. 46(2)(c), in either language


def test_pro_01_the_list_shows_the_agreement_date_only_when_on_record(client):
    put_on_record("website_host")

    html = client.get("/subprocessors/").content.decode()

    hetzner = html.split('id="recipient-website_host"')[1].split("</tr>")[0]
    trafft = html.split('id="recipient-trafft"')[1].split("</tr>")[0]
    assert "Signed" in hetzner
    assert "Not in use: no agreement on record yet" in trafft


@pytest.mark.parametrize("prefix", ["", "/nb"])
def test_pro_01_the_privacy_policy_links_the_subprocessor_list_from_section_5(client, prefix):
    html = client.get(f"{prefix}/privacy/").content.decode()

    sharing = html.split('id="sharing"')[1].split('id="transfers"')[0]
    assert f'href="{prefix}/subprocessors/"' in sharing
