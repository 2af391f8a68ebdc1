"""Reads of the contact directory: professionals' work contact details, visible to every signed-in person."""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from .models import ContactPerson, Location, Organisation


@dataclass
class LocationEntry:
    location: Location
    people: list[ContactPerson] = field(default_factory=list)


@dataclass
class OrganisationEntry:
    organisation: Organisation
    locations: list[LocationEntry] = field(default_factory=list)
    people_without_location: list[ContactPerson] = field(default_factory=list)


def directory_organisations(*, query: str = "", kind: str = "") -> QuerySet[Organisation]:
    """Organisations that have something matching the search: their own name, a location or a person."""
    organisations = Organisation.objects.order_by("name")
    if kind:
        organisations = organisations.filter(kind=kind)
    query = query.strip()
    if query:
        organisations = organisations.filter(
            Q(name__icontains=query)
            | Q(id__in=Location.objects.filter(_location_match(query)).values("organisation_id"))
            | Q(id__in=ContactPerson.objects.active().filter(_person_match(query)).values("organisation_id"))
        )
    return organisations


def directory_entries(organisations, *, query: str = "") -> list[OrganisationEntry]:
    """Locations and people of a page of organisations, grouped for display.

    When the search matched the organisation's name everything is shown; otherwise only matching locations
    (with all their people) and matching people.
    """
    organisations = list(organisations)
    query = query.strip()
    organisation_ids = [organisation.id for organisation in organisations]
    locations = Location.objects.filter(organisation_id__in=organisation_ids).select_related("municipality")
    people = (
        ContactPerson.objects.active()
        .filter(organisation_id__in=organisation_ids)
        .prefetch_related(Prefetch("locations", queryset=Location.objects.only("id")))
        .order_by("name")
    )
    entries = [OrganisationEntry(organisation) for organisation in organisations]
    by_id = {entry.organisation.id: entry for entry in entries}
    location_entries = {}
    for location in locations.order_by("name"):
        entry = LocationEntry(location)
        location_entries[location.id] = entry
        by_id[location.organisation_id].locations.append(entry)
    for person in people:
        person_locations = [
            location_entries[location.id] for location in person.locations.all() if location.id in location_entries
        ]
        for location_entry in person_locations:
            location_entry.people.append(person)
        if not person_locations:
            by_id[person.organisation_id].people_without_location.append(person)
    if query:
        lowered = query.lower()
        for entry in entries:
            if lowered in entry.organisation.name.lower():
                continue
            entry.locations = [
                location_entry
                for location_entry in entry.locations
                if _location_matches(location_entry.location, lowered)
                or any(_person_matches(person, lowered) for person in location_entry.people)
            ]
            entry.people_without_location = [
                person for person in entry.people_without_location if _person_matches(person, lowered)
            ]
    return entries


def _location_match(query):
    return Q(name__icontains=query) | Q(city__icontains=query) | Q(address__icontains=query)


def _person_match(query):
    return Q(name__icontains=query) | Q(function__icontains=query) | Q(email__icontains=query)


def _location_matches(location, lowered):
    return any(lowered in value.lower() for value in (location.name, location.city, location.address))


def _person_matches(person, lowered):
    return any(lowered in value.lower() for value in (person.name, person.function, person.email))


def location_ids_of(person: ContactPerson) -> list[int]:
    """The ids of a person's locations, read once per request (cached on the instance).

    Filtering with literal ids lets PostgreSQL use the partial indexes on location; a subquery hides them from
    the planner, which then scans whole tables.
    """
    if not hasattr(person, "_location_ids"):
        person._location_ids = list(
            ContactPerson.locations.through.objects.filter(contactperson_id=person.id).values_list(
                "location_id", flat=True
            )
        )
    return person._location_ids
