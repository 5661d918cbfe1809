"""Who wrote a story, read from the wire's byline: one author per person named, without the
"By", with the agency or title the byline gives them.

    "By Henning Gloystein"                    → Henning Gloystein
    "Paulo Santalucia and Frances d'Emilio"   → Paulo Santalucia; Frances d'Emilio
    "By Benjamin Wright, Press Association"   → Benjamin Wright (affiliation Press Association)
    "By Meredith Jameson, Staff Reporter"     → Meredith Jameson (job title Staff Reporter)
    "Reuters staff"                           → the organisation Reuters
    "Staff Reporter, BusinessDesk"            → the organisation BusinessDesk
    "Reporting by A; Editing by B"            → A (editors are not authors)

Bylines are free text; what cannot be read as a name (a URL, a code with digits) is left out
rather than shown as one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

# "By", "Photograph by", "Reporting by", "Additional reporting by", "Words by", …
_ROLE_PREFIX = re.compile(
    r"^(?:(?:additional\s+)?(?:text|words|story|reporting|report|photos?|photographs?|"
    r"pictures?|video|interview|compiled|written)\s+)?by\b[\s:]*",
    re.IGNORECASE,
)
# Parts of a byline that name people who did not write the story.
_NOT_AUTHORS = re.compile(r"^(?:edit(?:ing|ed)|graphics?|design(?:ed)?)\s+by\b", re.IGNORECASE)
_AND = re.compile(r"\s+(?:and|&)\s+|\s*&\s*", re.IGNORECASE)
_STAFF = re.compile(r"^(?P<organisation>.+?)\s+staff(?:\s+(?:reporters?|writers?))?$", re.I)
# Words that make a part of a byline a job title rather than a name or an agency.
_TITLE = re.compile(
    r"\b(?:reporters?|correspondents?|writers?|editors?|columnists?|photographers?|"
    r"contributors?|critics?|analysts?|staff|freelance|stringers?|chief|bureau)\b",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|www\.)[^\s)]*", re.IGNORECASE)
_URL_ASIDE = re.compile(r"\s*\(\s*(?:https?://|www\.)[^\s)]*\s*\)", re.IGNORECASE)
_LEFT_OUT = "\x00"  # where a URL was
_CODE = re.compile(r"[0-9]")
_EDGE = "\t\n\r _-–—|·•*:"  # what may surround a name in a wire byline
MAX_BYLINE = 2000  # characters read; what follows is not a byline any more
MAX_AUTHORS = 20
MAX_NAME = 200


@dataclass(frozen=True)
class Author:
    name: str
    kind: Literal["Person", "Organization"] = "Person"
    affiliation: str | None = None  # the agency or outlet a person writes for
    job_title: str | None = None


@dataclass(frozen=True)
class Byline:
    authors: tuple[Author, ...]

    @property
    def people(self) -> tuple[Author, ...]:
        return tuple(a for a in self.authors if a.kind == "Person")

    @property
    def text(self) -> str:
        """As a reader sees it after "By": the people (A, B and C) with the title and agency
        they share, or the organisation's staff."""
        people = self.people
        if not people:
            return _joined([f"{a.name} staff" for a in self.authors])
        shared = [
            value
            for value in (people[0].job_title, people[0].affiliation)
            if value and all(value in (p.job_title, p.affiliation) for p in people)
        ]
        return ", ".join([_joined([p.name for p in people]), *shared])


def _joined(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def parse_byline(byline: str | None) -> Byline | None:
    """The authors a byline names, or None when it names none."""
    if not byline:
        return None
    authors: list[Author] = []
    for clause in re.split(r"[;\n]", byline[:MAX_BYLINE]):
        clause = clause.strip(_EDGE)
        if clause and not _NOT_AUTHORS.match(clause):
            authors += _clause_authors(_ROLE_PREFIX.sub("", clause))
    unique = list(dict.fromkeys(authors))[:MAX_AUTHORS]
    return Byline(tuple(unique)) if unique else None


def _clause_authors(clause: str) -> list[Author]:
    """One clause: names joined by commas and "and", then perhaps a title and an agency
    ("A, B and C, Reuters"; "Name, Title, Agency"; "Name / Agency")."""
    # A part holding a URL is a note ("available at https://…"); one with digits is a code
    # ("A3576/_Maurizio Gambarini").
    split = re.split(r"[,/]", _URL.sub(_LEFT_OUT, _URL_ASIDE.sub("", clause)))
    parts = [" ".join(part.split()).strip(_EDGE)[:MAX_NAME] for part in split]
    parts = [p for p in parts if p and _LEFT_OUT not in p and not _CODE.search(p)]
    with_and = [index for index, part in enumerate(parts) if _AND.search(part)]
    names_end = with_and[-1] + 1 if with_and else 1
    people: list[str] = []
    job_title: str | None = None
    affiliation: str | None = None
    for part in parts[:names_end]:
        for name in _AND.split(part):
            name = name.strip(_EDGE)
            if staff := _STAFF.match(name):
                affiliation = affiliation or staff["organisation"]
            elif _TITLE.search(name):
                job_title = job_title or name
            elif name:
                people.append(name)
    for part in parts[names_end:]:
        if staff := _STAFF.match(part):
            affiliation = affiliation or staff["organisation"]
        elif _TITLE.search(part):
            job_title = job_title or part
        else:
            affiliation = affiliation or part
    if people:
        return [Author(name, "Person", affiliation, job_title) for name in people]
    return [Author(affiliation, "Organization")] if affiliation else []
