"""What the process owners' browser tests share: a signed-in context of its own (for a
viewport or a second editor), a committed draft of the SOP, and the check that a bpmn.io
watermark is on screen, inside its own area and not covered by anything of ours."""

from __future__ import annotations

from sqlalchemy import select

from engine.db import unit_of_work
from engine.models import Definition, DefinitionVersion
from engine.services import processdrafts
from tests.browser.watch import Watch
from tests.conftest import T0
from tests.support import SOP_KEY, sop_forms, user


def signed_in(browser, live_server, viewport=None, username: str = "pemilik"):
    """(context, page, watch) of a new browser context signed in as `username`; the caller
    closes the context."""
    options = {"locale": "id-ID", "timezone_id": "Asia/Jakarta"}
    context = browser.new_context(**options, **({"viewport": viewport} if viewport else {}))
    context.set_default_timeout(15_000)
    page = context.new_page()
    watch = Watch(page)
    page.goto(f"{live_server.url}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "demo12345")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")
    return context, page, watch


def first_version_id(session) -> int:
    return session.scalars(
        select(DefinitionVersion.id).join(Definition).where(Definition.key == SOP_KEY)
        .order_by(DefinitionVersion.version)).first()


def sop_version_id(server) -> int:
    with unit_of_work(server.session_factory) as session:
        return first_version_id(session)


def new_draft(server, *, bpmn_xml: str | None = None, username: str = "pemilik") -> int:
    """A committed draft of the SOP (from version 1, or from `bpmn_xml` as an upload)."""
    with unit_of_work(server.session_factory) as session:
        owner = user(session, username)
        if bpmn_xml is None:
            draft = processdrafts.create_from_version(session, owner, first_version_id(session), T0)
        else:
            draft = processdrafts.create_from_upload(
                session, owner, filename="sop.bpmn", data=bpmn_xml.encode(), forms=sop_forms(),
                now=T0)
        session.commit()
        return draft.id


def assert_logo_uncovered(page, logo: str, frame: str | None = None, *,
                          corners: bool = False) -> None:
    """The watermark `logo` (a selector) is visible, inside `frame` when given, and what is
    drawn at its centre (and corners) is the link itself: nothing of ours covers it."""
    link = page.locator(logo).first
    link.scroll_into_view_if_needed()
    assert link.is_visible(), f"the watermark {logo} is hidden"
    box = link.bounding_box()
    assert box["width"] > 0 and box["height"] > 0
    if frame:
        area = page.locator(frame).bounding_box()
        assert area["x"] <= box["x"] and box["x"] + box["width"] <= area["x"] + area["width"]
        assert area["y"] <= box["y"] and box["y"] + box["height"] <= area["y"] + area["height"]
    covered = page.evaluate("""([selector, corners]) => {
      const link = document.querySelector(selector);
      const r = link.getBoundingClientRect();
      const points = [[r.left + r.width / 2, r.top + r.height / 2]];
      if (corners) points.push([r.left + 2, r.top + 2], [r.right - 2, r.top + 2],
                               [r.left + 2, r.bottom - 2], [r.right - 2, r.bottom - 2]);
      for (const [x, y] of points) {
        const hit = document.elementFromPoint(x, y);
        if (!hit || !(hit === link || link.contains(hit)))
          return String(hit && hit.outerHTML).slice(0, 200);
      }
      return "";
    }""", [logo, corners])
    assert covered == "", f"something covers the watermark {logo}: {covered}"
