"""Embedded content from other sites (videos, maps): a local placeholder until it may load (CON-06).

The placeholder makes no request to the provider. Its iframe gets its address only after consent
to embedded media, or after a click on the placeholder for that one embed (checklist CK-13): the
provider is a controller of what it collects (CJEU C-40/17 Fashion ID), so the placeholder names
it and links to its privacy notice.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Provider:
    recipient: str  # the key of the provider in the declaration's recipients
    src_prefix: str  # an embed's address must start with this
    privacy_url: str
    load_label: Promise


PROVIDERS = {
    "youtube": Provider(
        recipient="youtube",
        # YouTube's privacy-enhanced mode: no YouTube cookie until the video is played.
        src_prefix="https://www.youtube-nocookie.com/embed/",
        privacy_url="https://policies.google.com/privacy",
        load_label=_("Load video"),
    ),
    "google_maps": Provider(
        recipient="google_maps",
        src_prefix="https://www.google.com/maps/embed?",
        privacy_url="https://policies.google.com/privacy",
        load_label=_("Load map"),
    ),
}


def provider_for(key: str, src: str) -> Provider:
    """The provider of an embed; ValueError for an unknown provider or an address not its own."""
    provider = PROVIDERS.get(key)
    if provider is None:
        raise ValueError(f"Unknown embed provider {key!r}: use one of {', '.join(PROVIDERS)}.")
    if not src.startswith(provider.src_prefix):
        raise ValueError(f"An embed from {key} must start with {provider.src_prefix}")
    return provider
