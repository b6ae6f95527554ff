"""Who may open which page: role guards per blueprint and ownership of competitions."""

import pytest

ORGANIZER_PAGES = [
    "/admin/competitions/{mine}",
    "/admin/competitions/{mine}/edit",
    "/admin/competitions/{mine}/copy",
    "/admin/competitions/{mine}/audit",
    "/admin/competitions/{mine}/events/new",
    "/admin/events/{event}/edit",
    "/admin/events/{event}/scheme",
    "/admin/events/{event}/copy",
]
STAFF_PAGES = [
    "/admin/",
    "/admin/competitions/new",
    "/admin/people",
    "/admin/people/new",
    "/admin/units",
    "/admin/regions",
]
ADMIN_PAGES = ["/admin/users", "/admin/audit"]
NOT_STAFF = ["judge", "chief_judge", "encryption_officer", "supervisor", "unit_contact", "competitor"]


def test_anonymous_users_are_sent_to_sign_in(client, world):
    for page in [*STAFF_PAGES, *ADMIN_PAGES, "/judge/", "/portal/"]:
        response = client.get(page.format(**world))
        assert response.status_code == 302, page
        assert response.headers["Location"].startswith("/login?next="), page


@pytest.mark.parametrize("role", NOT_STAFF)
def test_other_roles_get_403_on_organizer_pages(as_role, world, role):
    client = as_role(role)
    for page in [*STAFF_PAGES, *ADMIN_PAGES, *ORGANIZER_PAGES]:
        assert client.get(page.format(**world)).status_code == 403, page


def test_the_owner_opens_every_page_of_their_competition(as_role, world):
    client = as_role("organizer")
    for page in [*STAFF_PAGES, *ORGANIZER_PAGES]:
        assert client.get(page.format(**world)).status_code == 200, page


def test_another_organizer_sees_403_and_not_the_data(as_role, world):
    client = as_role("other_organizer")
    for page in ORGANIZER_PAGES:
        response = client.get(page.format(**world))
        assert response.status_code == 403, page
        assert "宿迁" not in response.text
    assert "宿迁" not in client.get("/admin/").text
    for action in (
        "/admin/competitions/{mine}/announce",
        "/admin/competitions/{mine}/edit",
        "/admin/events/{event}/scheme",
    ):
        assert client.post(action.format(**world), data={}).status_code == 403, action


def test_an_event_cannot_be_copied_into_someone_elses_competition(as_role, world):
    client = as_role("organizer")
    response = client.post(
        f"/admin/events/{world['event']}/copy", data={"competition_id": world["theirs"], "code": "X"}
    )
    assert response.status_code == 200
    assert "Not a valid choice" in response.text


def test_organizers_get_403_on_admin_pages_and_the_admin_sees_all(as_role, world):
    organizer = as_role("organizer")
    for page in ADMIN_PAGES:
        assert organizer.get(page).status_code == 403
    admin = as_role("admin")
    for page in [*ADMIN_PAGES, *ORGANIZER_PAGES]:
        assert admin.get(page.format(**world)).status_code == 200, page
    assert "晋城" in admin.get("/admin/").text


@pytest.mark.parametrize(
    ("role", "home"),
    [("judge", "/judge/"), ("chief_judge", "/judge/"), ("competitor", "/portal/"), ("unit_contact", "/portal/")],
)
def test_venue_and_portal_roles_reach_their_own_home_only(as_role, world, role, home):
    client = as_role(role)
    assert client.get(home).status_code == 200
    other = "/portal/" if home == "/judge/" else "/judge/"
    assert client.get(other).status_code == 403


def test_missing_objects_are_404_not_500(as_role, world):
    client = as_role("organizer")
    for page in ("/admin/competitions/999999", "/admin/events/999999/scheme", "/competitions/999999"):
        assert client.get(page).status_code == 404
