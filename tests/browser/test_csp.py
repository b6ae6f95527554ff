"""The content security policy holds in a real browser: every role's main pages load without one violation."""

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from compete import demo
from compete.accounts.models import User
from compete.competitions.models import Competition, Event
from compete.extensions import db
from compete.jobs.models import Job, JobState
from compete.registration import jobs as registration_jobs
from tests.browser.helpers import DESKTOP, save_screenshot, sign_in
from tests.browser.test_scoring_tablet import prepare_marking

TABLET_PORTRAIT = {"width": 820, "height": 1180}
# Every violation, caught where it happens: the console message wording differs between browser versions.
WATCH_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile}:${event.lineNumber}`;
  window.__violations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""


class Watched:
    """A page whose CSP violations, console CSP errors and script errors are all collected."""

    def __init__(self, page: Page):
        self.page = page
        self.problems: list[str] = []
        page.add_init_script(WATCH_VIOLATIONS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"script error on {page.url}: {error}"))

    def _console(self, message) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.problems.append(f"console on {self.page.url}: {message.text}")

    def visit(self, path: str, status: int = 200) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status == status, f"{path} answered {response and response.status}"
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("load")
        self.check()

    def check(self) -> None:
        self.problems.extend(self.page.evaluate("() => window.__violations || []"))
        assert not self.problems, self.problems


def ids(live_server) -> dict:
    with live_server.app.app_context():
        names = demo.names()
        past = db.session.scalar(select(Competition.id).where(Competition.name == names["past"]))
        today = db.session.scalar(select(Competition.id).where(Competition.name == names["today"]))
        today_event = db.session.scalar(select(Event.id).where(Event.competition_id == today))
        organizer = db.session.scalar(select(User).where(User.username == "organizer"))
        # A job half done, as the organizer sees it while a big import is checked: the bar's width comes from JS.
        job = Job(
            kind=registration_jobs.CHECK,
            owner=organizer,
            locale="en",
            params={"event_id": today_event, "token": "c" * 32},
            state=JobState.RUNNING,
            phase="checking",
            done=40,
            total=100,
        )
        db.session.add(job)
        db.session.commit()
        found = {"past": past, "today": today, "today_event": today_event, "job": job.id}
        db.session.remove()
        return found


def test_public_and_organizer_pages_keep_the_policy(open_page, live_server):
    known = ids(live_server)
    public = Watched(open_page(DESKTOP))
    for path in ("/", "/login", "/signup", f"/competitions/{known['today']}", f"/results/{known['past']}", "/verify"):
        public.visit(path)
    public.visit("/verify?number=NO-SUCH-NUMBER&name=%E5%BC%A0%E4%BC%9F", 404)

    organizer = Watched(open_page(DESKTOP))
    sign_in(organizer.page, "organizer")
    event = known["today_event"]
    for path in (
        "/admin/",
        f"/admin/competitions/{known['today']}",
        f"/admin/events/{event}/registrations",
        f"/admin/events/{event}/day",
        f"/admin/events/{event}/check-in",
        f"/admin/events/{event}/scheme",
        f"/admin/events/{event}/import",
        f"/admin/competitions/{known['past']}/results",
        f"/admin/competitions/{known['past']}/certificates",
        "/admin/people",
    ):
        organizer.visit(path)
    # The scheme editor adds rows from a <template> by script: still within the policy.
    organizer.page.goto(f"/admin/events/{event}/scheme")
    organizer.page.locator("[data-add-row]").click()
    organizer.check()

    # The job page sets its bar's width from data-percent (no style attribute) and keeps polling.
    organizer.visit(f"/admin/jobs/{known['job']}")
    bar = organizer.page.locator("[data-job-bar]")
    width = bar.evaluate("(bar) => bar.getBoundingClientRect().width / bar.parentElement.getBoundingClientRect().width")
    assert 0.35 < width < 0.45
    save_screenshot(organizer.page, "csp-job-desktop")
    organizer.page.wait_for_timeout(1000)  # a poll or two
    organizer.check()


def test_venue_portal_and_arbitration_pages_keep_the_policy(open_page, live_server):
    link, station, _event = prepare_marking(live_server.app, "内容安全策略平板演练")
    judge = Watched(open_page(TABLET_PORTRAIT))
    judge.page.goto(link)
    expect(judge.page).to_have_url(re.compile(r"/judge/"))
    judge.check()
    judge.visit(f"/judge/stations/{station}")
    expect(judge.page.locator("[data-mark-sheet]")).to_have_attribute("data-ready", "true")
    # Enter in a mark field must not send the sheet as a form (once an inline onsubmit, now marks.js).
    url = judge.page.url
    judge.page.locator("[data-input]").first.press("Enter")
    assert judge.page.url == url
    save_screenshot(judge.page, "csp-judge-station-tablet")
    judge.check()

    chief_link, _station, _chief_event = prepare_marking(live_server.app, "内容安全策略裁判长演练", chief=True)
    chief = Watched(open_page(TABLET_PORTRAIT))
    chief.page.goto(chief_link)
    chief.visit("/judge/chief")
    # The lock asks first (data-confirm, handled by app.js): dismissed, nothing is locked.
    asked = []
    chief.page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    chief.page.locator("[data-lock]").click()
    expect(chief.page.locator("[data-lock]")).to_be_visible()
    assert asked == [chief.page.locator("form:has([data-lock])").get_attribute("data-confirm")]
    save_screenshot(chief.page, "csp-chief-tablet")
    chief.check()

    officer = Watched(open_page(DESKTOP))
    officer.page.goto("/login")  # helpers.PASSWORDS has no officer: the demo's password, typed here
    officer.page.locator("input[name=username]").fill("officer")
    officer.page.locator("input[name=password]").fill("officer2026")
    officer.page.locator("form input[type=submit][name=submit]").click()
    expect(officer.page).to_have_url(re.compile(r"/officer/"))
    officer.visit("/officer/")
    competitor = Watched(open_page(DESKTOP))
    sign_in(competitor.page, "competitor")
    competitor.visit("/portal/")
    supervisor = Watched(open_page(DESKTOP))
    sign_in(supervisor.page, "supervisor")
    supervisor.visit("/arbitration/")
    supervisor.visit("/judge/")
    refused = Watched(open_page(DESKTOP))
    refused.page.goto("/judge/link/not-a-real-token")
    refused.check()


def test_changed_pages_look_right_at_both_sizes(open_page, live_server):
    known = ids(live_server)
    for name, viewport in (("desktop", DESKTOP), ("tablet", TABLET_PORTRAIT)):
        page = Watched(open_page(viewport))
        page.visit("/signup")
        card = page.page.locator(".signup-card")
        assert card.bounding_box()["width"] <= 720
        save_screenshot(page.page, f"csp-signup-{name}")
        page.visit("/verify?number=NO-SUCH-NUMBER&name=%E5%BC%A0%E4%BC%9F", 404)
        save_screenshot(page.page, f"csp-verify-{name}")
        page.visit(f"/competitions/{known['today']}")
        sign_in(page.page, "organizer")
        page.visit(f"/admin/events/{known['today_event']}/check-in")
        save_screenshot(page.page, f"csp-check-in-{name}")
        page.visit(f"/admin/jobs/{known['job']}")
        save_screenshot(page.page, f"csp-job-{name}")
