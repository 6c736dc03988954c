"""Reading the campaigns for clinics: which running ones no longer have a DPIA that vouches for
their health-related audience (CL-06; GDPR Art. 35(11))."""

import datetime

from django.db.models import Q, QuerySet

from campaigns.models import Campaign


def running_without_current_dpia(*, on: datetime.date) -> QuerySet[Campaign]:
    """Running campaigns with a health-related audience whose DPIA is past its review date (or
    gone): to be reviewed, or stopped, by staff."""
    health = Q(health_related_audience=True) | Q(audience_source__in=Campaign.HEALTH_SOURCES)
    return Campaign.objects.filter(health, status=Campaign.Status.RUNNING).filter(
        Q(dpia__isnull=True) | Q(dpia__review_on__lt=on)
    )
