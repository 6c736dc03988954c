"""Articles as the public sees them: published only, body escaped, linked from every page."""

import pytest
from django.utils import timezone

from content.rendering import render_body
from content.tests.factories import make_article

pytestmark = pytest.mark.django_db


def test_article_list_shows_published_articles_only(client):
    make_article(title="Published", slug="published")
    make_article(title="Draft", slug="draft", is_published=False)
    make_article(
        title="Scheduled",
        slug="scheduled",
        published_at=timezone.now() + timezone.timedelta(days=1),
    )

    page = client.get("/articles/").text

    assert "Published" in page
    assert "Draft" not in page
    assert "Scheduled" not in page


@pytest.mark.parametrize("slug", ["draft", "scheduled", "unknown"])
def test_unpublished_or_unknown_article_is_not_found(client, slug):
    make_article(slug="draft", is_published=False)
    make_article(slug="scheduled", published_at=timezone.now() + timezone.timedelta(days=1))

    assert client.get(f"/articles/{slug}/").status_code == 404


def test_article_is_served_in_english_and_norwegian(client):
    make_article()

    english = client.get("/articles/growing-a-dental-clinic/")
    norwegian = client.get("/nb/articles/growing-a-dental-clinic/")

    assert english.status_code == norwegian.status_code == 200
    assert 'lang="nb"' in norwegian.text
    assert "<p>First paragraph.</p>" in english.text


def test_sec_03_article_body_is_escaped_and_only_safe_links_are_made():
    html = render_body(
        "<script>alert(1)</script>\n\n[click](javascript:alert(1)) and [site](https://wekst.com/?a=1&b=2)"
        '\n\n**bold** *it* [x](https://x.example/"onmouseover="alert(1))'
    )

    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert 'href="javascript' not in html
    assert '<a href="https://wekst.com/?a=1&amp;b=2" rel="nofollow noopener">site</a>' in html
    assert "<strong>bold</strong> <em>it</em>" in html
    assert 'onmouseover="' not in html


def test_article_body_has_paragraphs_headings_lists_and_line_breaks():
    html = render_body("## Heading\n\n- one\n- two\n\nline one\nline two")

    assert html == (
        "<h2>Heading</h2>\n<ul><li>one</li><li>two</li></ul>\n<p>line one<br>line two</p>"
    )


def test_home_page_and_site_header_link_to_the_articles(client):
    make_article(title="Growing a dental clinic")

    home = client.get("/").text
    privacy = client.get("/privacy/").text

    assert 'href="/articles/"' in home.split("</header>")[1]  # in the page, not only the header
    assert 'href="/articles/"' in privacy.split("</header>")[0]
