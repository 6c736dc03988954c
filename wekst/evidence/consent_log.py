"""The evidence pack's consent evidence: each banner text shown, with its SHA-256 (Art. 7(1)),
and the decisions per banner version, as counts and rates (no consent id, no IP address)."""

from django.db.models import Count, Q

from consent.models import BannerText, ConsentDecision
from wekst.evidence.common import iso, rate
from wekst.spreadsheets import csv_text

DECISION_COLUMNS = (
    "Banner version", "Decisions", "Accept all", "Reject all", "Chosen per category",
    "With GPC", "Analytics allowed", "Marketing allowed", "Embedded allowed",
    "Acceptance rate", "Rejection rate", "Analytics rate", "Marketing rate", "Embedded rate",
    "GPC share",
)  # fmt: skip


def consent_files() -> dict[str, str]:
    files, rows = {}, []
    for banner in BannerText.objects.order_by("banner_version", "language", "recorded_at"):
        name = f"consent/banner-texts/{banner.banner_version}-{banner.language}-{banner.sha256[:12]}.txt"
        files[name] = banner.text
        rows.append(
            (banner.sha256, banner.banner_version, banner.language, iso(banner.recorded_at), name)
        )
    header = ("SHA-256", "Banner version", "Language", "First shown", "File")
    files["consent/banner-texts.csv"] = csv_text([header, *rows])
    figures = (
        ConsentDecision.objects.values("banner_version")
        .annotate(
            n=Count("pk"),
            accept=Count("pk", filter=Q(action=ConsentDecision.Action.ACCEPT_ALL)),
            reject=Count("pk", filter=Q(action=ConsentDecision.Action.REJECT_ALL)),
            choose=Count("pk", filter=Q(action=ConsentDecision.Action.CHOOSE)),
            gpc=Count("pk", filter=Q(gpc=True)),
            analytics=Count("pk", filter=Q(analytics=True)),
            marketing=Count("pk", filter=Q(marketing=True)),
            embedded=Count("pk", filter=Q(embedded=True)),
        )
        .order_by("banner_version")
    )
    rows = [
        (
            f["banner_version"],
            f["n"],
            f["accept"],
            f["reject"],
            f["choose"],
            f["gpc"],
            f["analytics"],
            f["marketing"],
            f["embedded"],
            rate(f["accept"], f["n"]),
            rate(f["reject"], f["n"]),
            rate(f["analytics"], f["n"]),
            rate(f["marketing"], f["n"]),
            rate(f["embedded"], f["n"]),
            rate(f["gpc"], f["n"]),
        )
        for f in figures
    ]
    files["consent/decisions-by-banner-version.csv"] = csv_text([DECISION_COLUMNS, *rows])
    return files
