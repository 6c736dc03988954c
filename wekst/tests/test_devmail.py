"""The development mail backend prints an email as a person reads it: a long link stays whole."""

import io

from django.core.mail import EmailMultiAlternatives

from wekst.devmail import EmailBackend

LINK = "https://wekst.example/newsletter/confirm/" + "a=b" * 40 + "/"


def test_dev_mail_prints_decoded_text_with_the_link_whole():
    stream = io.StringIO()
    message = EmailMultiAlternatives(
        subject="Bekreft påmeldingen",
        body=f"Hei Åse,\n\nBekreft her: {LINK}\n",
        from_email="Wekst <hello@wekst.com>",
        to=["ase@example.com"],
    )
    message.attach_alternative(f'<p><a href="{LINK}">Bekreft</a></p>', "text/html")

    sent = EmailBackend(stream=stream).send_messages([message])

    printed = stream.getvalue()
    assert sent == 1
    assert "Subject: Bekreft påmeldingen" in printed
    assert "To: ase@example.com" in printed
    assert "Hei Åse," in printed
    assert f"Bekreft her: {LINK}" in printed
    assert f'href="{LINK}"' in printed
    # Nothing quoted-printable or base64: no soft line breaks, no encoded "=3D".
    assert "=\n" not in printed
    assert "=3D" not in printed
