"""Who is told of a significant policy change: each area declares its people (policy §13; TP-05).

The declaration sits below the areas whose people it tells (docs/overview.md, "The layers"), so
it does not list their models: an area with people in a current relationship registers an
audience when it is ready (its apps.py), and one that knows a person's language may register a
language source. declaration.notices reads both.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

# people(cutoff=...) -> (subject id, language or "") of everyone in the audience as of `cutoff`.
Audience = Callable[..., Iterable[tuple[int, str]]]
# languages(subject_ids=...) -> (subject id, language), oldest first: the last one counts.
LanguageSource = Callable[..., Iterable[tuple[int, str]]]

_audiences: list[Audience] = []
_language_sources: list[LanguageSource] = []


def register_audience(people: Audience) -> None:
    """Tell `people(cutoff=...)` of every significant policy change (once)."""
    if people not in _audiences:
        _audiences.append(people)


def register_language_source(languages: LanguageSource) -> None:
    """Ask `languages(subject_ids=...)` for the language of a person no audience knows it of."""
    if languages not in _language_sources:
        _language_sources.append(languages)


def people_as_of(cutoff: datetime.datetime) -> dict[int, str]:
    """Subject id -> language ("" when unknown) of everyone every audience holds, each once
    however many audiences they are in; a language one audience knows wins over none."""
    people: dict[int, str] = {}
    for audience in _audiences:
        for subject_id, language in audience(cutoff=cutoff):
            if language:
                people[subject_id] = language
            else:
                people.setdefault(subject_id, "")
    unknown = [subject_id for subject_id, language in people.items() if not language]
    for source in _language_sources:
        for subject_id, language in source(subject_ids=unknown):
            people[subject_id] = language
    return people
