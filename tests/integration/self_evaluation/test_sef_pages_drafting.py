"""Drafting a self-evaluation through the HTML pages: chapters, conflicts, versions, contributors."""

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from html import unescape

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.roles import Role
from app.models import Cycle, SelfEvaluation, User
from app.reference.sef import TEXT_SECTIONS, OfstedGrade
from app.self_evaluation import contributors
from app.self_evaluation.drafting import service
from app.self_evaluation.schemas import AssignInput, ReturnSefInput
from app.self_evaluation.signoff import service as signoff
from tests import factories as f
from tests.conftest import check_page
from tests.page_reading import error_summary, hidden
from tests.sef_factories import (
    DERBY,
    chapter_input,
    form_proposed_triads,
    sign_as,
    submit_latest,
    write_all,
)

LEICESTER = "E06000016"
DERBYSHIRE = "E10000007"  # in Derby's triad for 2026-27
CYCLE = "/regions/east-midlands/cycles/2026-27"
INDEX = CYCLE + "/self-evaluations"
SEF = INDEX + "/" + DERBY
HELP = "help-and-protection"
HELP_TITLE = "The experiences and progress of children who need help and protection"
CARE = "children-in-care"
CARE_TITLE = "The experiences and progress of children in care"
CHAPTER_FIELDS = (
    "narrative",
    "strengths",
    "areas_for_development",
    "signatures_of_strength",
    "signatures_of_risk",
    "evidence",
)


def _get(client: TestClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, (path, response.status_code, response.text[:800])
    check_page(response.text)
    return response.text


def _token(html: str) -> str:
    return check_page(html).csrf_tokens[0]


def _textarea(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
    assert match, f"no textarea {name}"
    return unescape(match.group(1)).strip()


def _form(html: str, **changes: str) -> dict[str, str]:
    """The chapter form as the page fills it, with `changes` applied."""
    checked = re.search(r'name="grade" type="radio" value="([^"]*)" checked', html)
    data = {
        "csrf_token": _token(html),
        "base_version": hidden(html, "base_version"),
        "grade": checked.group(1) if checked else "",
        **{name: _textarea(html, name) for name in CHAPTER_FIELDS},
    }
    data.update(changes)
    return data


def _edit_links(html: str) -> list[str]:
    return re.findall(rf'href="{SEF}/chapters/([a-z-]+)">Edit chapter', html)


@pytest.fixture
def cycle(session: Session) -> Cycle:
    return f.open_cycle(session)


def _person(session: Session, role: Role, name: str, organisation: str = DERBY) -> User:
    user = f.make_user(session, role, organisation=organisation, name=name)
    session.commit()
    return user


def _sef(session: Session, cycle: Cycle, who: User) -> SelfEvaluation:
    return service.get_sef(session, f.principal(session, who), cycle, DERBY)


def _count(session: Session, cycle: Cycle, who: User) -> int:
    session.expire_all()
    return service.version_count(session, _sef(session, cycle, who))


@pytest.fixture
def second_client(app: FastAPI) -> Iterator[TestClient]:
    """Another browser, with its own session cookie."""
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as other:
        yield other


def test_the_dcs_writes_a_chapter_and_the_page_shows_it_exactly(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    f.sign_in(client, dcs)
    page = _get(client, f"{SEF}/chapters/{HELP}")
    assert f'<h1 class="govuk-heading-l">{HELP_TITLE}</h1>' in page
    assert "What this chapter asks" in page
    assert hidden(page, "base_version") == ""
    assert "The data beside this chapter" in page  # the data profile sits beside the text
    # Every text section has the schema's limit in GOV.UK's character count, which speaks up
    # once three quarters of it is used (20,000 characters is far more than most write).
    counted = re.findall(
        r'class="govuk-form-group govuk-character-count" data-module="govuk-character-count" '
        r'data-maxlength="(\d+)" data-threshold="75">.*?<textarea[^>]*name="([a-z_]+)"',
        re.sub(r"\s+", " ", page),
        re.S,
    )
    assert counted == [("20000", name) for name, _ in TEXT_SECTIONS]
    assert 'class="govuk-grid-column-two-thirds"' in page
    assert 'class="govuk-grid-column-one-third"' in page
    form = _form(
        page,
        grade="good",
        narrative="We know <b>our</b> practice & its limits.\n\nAudits show it.",
        strengths="Stable workforce.",
        areas_for_development="Timeliness of assessments.",
    )
    saved = client.post(f"{SEF}/chapters/{HELP}", data=form)
    assert saved.status_code == 303, saved.text
    assert saved.headers["location"] == f"{SEF}#chapter-{HELP}"

    show = _get(client, SEF)
    assert f"&#39;{HELP_TITLE}&#39; saved as version 1." in show
    assert re.search(r"Version 1, saved by Dee Derby on \d+ \w+ \d{4} at ", show)
    section = show.split(f'id="chapter-{HELP}"')[1].split("</section>")[0]
    assert (
        '<p class="govuk-body">We know &lt;b&gt;our&lt;/b&gt; practice &amp; its limits.</p>'
        in section
    )
    assert '<p class="govuk-body">Audits show it.</p>' in section
    assert '<p class="govuk-body">Stable workforce.</p>' in section
    assert re.search(r"Self-assessed grade\s*</dt>\s*<dd[^>]*>\s*Good\s*</dd>", section)
    # Strengths come before areas for development.
    assert section.index("Stable workforce.") < section.index("Timeliness of assessments.")
    assert _count(session, cycle, dcs) == 1
    # The form reopens on the saved text, based on version 1.
    again = _get(client, f"{SEF}/chapters/{HELP}")
    assert hidden(again, "base_version") == "1"
    assert _textarea(again, "narrative") == form["narrative"]
    assert 'value="good" checked' in again


def test_a_contributor_writes_only_the_chapter_assigned_to_them(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    writer = _person(session, Role.CONTRIBUTOR, "Cal Contributor")
    contributors.assign(
        session, f.principal(session, dcs), cycle, DERBY,
        AssignInput(chapter_id=HELP, user_id=writer.id),
    )  # fmt: skip
    session.commit()
    f.sign_in(client, writer)
    show = _get(client, SEF)
    assert _edit_links(show) == [HELP]
    assert "Assigned to Cal Contributor." in show
    assert "Assign chapters" not in show
    assert "Submit for sign-off" not in show

    page = _get(client, f"{SEF}/chapters/{HELP}")
    saved = client.post(f"{SEF}/chapters/{HELP}", data=_form(page, narrative="Our front door."))
    assert saved.status_code == 303, saved.text

    refused = _get(client, f"{SEF}/chapters/{CARE}", status=403)
    assert (
        f"You cannot write &#39;{CARE_TITLE}&#39;: the DCS writes every chapter, and other people "
        "only the chapters the DCS has assigned to them." in refused
    )
    posted = client.post(
        f"{SEF}/chapters/{CARE}",
        data=_form(page, base_version="1", narrative="Not mine to write."),
    )
    assert posted.status_code == 403
    assert f"You cannot write &#39;{CARE_TITLE}&#39;" in posted.text
    assert _count(session, cycle, dcs) == 1


def test_a_save_over_a_newer_save_shows_both_texts_and_saves_nothing(
    session: Session, client: TestClient, second_client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    writer = _person(session, Role.CONTRIBUTOR, "Cal Contributor")
    written = write_all(session, cycle, DERBY, f.principal(session, dcs))
    contributors.assign(
        session, f.principal(session, dcs), cycle, DERBY,
        AssignInput(chapter_id=HELP, user_id=writer.id),
    )  # fmt: skip
    session.commit()
    n = written.number
    f.sign_in(client, dcs)
    f.sign_in(second_client, writer)
    theirs_page = _get(client, f"{SEF}/chapters/{HELP}")
    mine_page = _get(second_client, f"{SEF}/chapters/{HELP}")
    assert hidden(theirs_page, "base_version") == hidden(mine_page, "base_version") == str(n)

    first = client.post(
        f"{SEF}/chapters/{HELP}", data=_form(theirs_page, narrative="The DCS's newer account.")
    )
    assert first.status_code == 303, first.text
    assert _count(session, cycle, dcs) == n + 1

    mine = "The contributor's own account.\n\nWith a second paragraph."
    clash = second_client.post(f"{SEF}/chapters/{HELP}", data=_form(mine_page, narrative=mine))
    assert clash.status_code == 409, clash.text
    html = clash.text
    check_page(html)
    assert check_page(html).title.startswith("Error: ")
    assert error_summary(html) == [
        (
            "#narrative",
            f"Dee Derby saved a newer version of '{HELP_TITLE}' (version {n + 1}) after you "
            f"opened version {n}. Nothing was saved: your text is kept beside theirs so you can "
            "combine them, then save again.",
        )
    ]
    assert "Your text (not saved)" in html
    assert _textarea(html, "narrative") == mine  # nothing the writer typed is lost
    newer = html.split('id="theirs"')[1]
    assert re.search(
        rf"The newer saved text \(version {n + 1}, saved by Dee Derby on [^)]+\)", unescape(newer)
    )
    assert "The DCS&#39;s newer account." in newer
    assert "The contributor" not in newer
    assert hidden(html, "base_version") == str(n + 1)
    assert _count(session, cycle, dcs) == n + 1  # nothing was saved

    # Having combined the two, the contributor saves again: now it goes through.
    combined = "The DCS's newer account.\n\nThe contributor's own account."
    second = second_client.post(f"{SEF}/chapters/{HELP}", data=_form(html, narrative=combined))
    assert second.status_code == 303, second.text
    assert _count(session, cycle, dcs) == n + 2
    sef = _sef(session, cycle, dcs)
    latest = service.latest_version(session, sef)
    assert latest is not None and latest.created_by_name == "Cal Contributor"
    assert service.content_of(sef, latest)[HELP]["narrative"] == combined


def test_a_dcs_of_another_authority_cannot_see_a_draft(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    write_all(session, cycle, DERBY, f.principal(session, dcs))
    other = _person(session, Role.DCS, "Lee Leicester", organisation=LEICESTER)
    f.sign_in(client, other)
    for path in (SEF, f"{SEF}/versions", f"{SEF}/versions/1", f"{SEF}/compare?a=1&b=2"):
        page = unescape(_get(client, path, status=403))
        assert (
            "Derby's self-evaluation is still being written. Until it is signed it is seen only "
            "by Derby's own people and the regional coordinator." in page
        ), path
        assert "We know our practice well" not in page
    assert _get(client, f"{SEF}/chapters/{HELP}", status=403)
    index = _get(client, INDEX)
    assert f'href="{INDEX}/{LEICESTER}">Leicester</a>' in index
    assert f"{INDEX}/{DERBY}" not in index
    assert "Track sign-off across the region" not in index


def test_the_coordinator_reads_every_draft_but_writes_none(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    write_all(session, cycle, DERBY, f.principal(session, dcs), label=" (coordinator test)")
    boss = f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION, name="Cora Coordinator")
    session.commit()
    f.sign_in(client, boss)
    index = _get(client, INDEX)
    links = re.findall(
        rf'<th scope="row" class="govuk-table__header"><a [^>]*href="{INDEX}/', index
    )
    assert len(links) == 10
    assert f'href="{INDEX}/tracker">Track sign-off across the region</a>' in index
    row = index.split(f'href="{INDEX}/{DERBY}">Derby</a>')[1].split("</tr>")[0]
    assert "Draft" in row and "Version 6, saved by Dee Derby" in row
    show = _get(client, SEF)
    assert "We know our practice well (coordinator test)." in show
    assert _edit_links(show) == []
    assert "Assign chapters" not in show
    _get(client, f"{SEF}/chapters/{HELP}", status=403)
    _get(client, f"{SEF}/contributors", status=403)


def test_versions_and_compare_show_the_changed_paragraph_in_both_columns(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    who = f.principal(session, dcs)
    first = chapter_input(None)
    service.save_chapter(session, who, cycle, DERBY, HELP, first)
    changed = first.model_copy(
        update={
            "base_version": 1,
            "narrative": "We know our practice well.\n\nAudits and feedback show it.",
        }
    )
    service.save_chapter(session, who, cycle, DERBY, HELP, changed)
    session.commit()
    f.sign_in(client, dcs)
    versions = _get(client, f"{SEF}/versions")
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', versions, re.S)[1:]
    assert len(rows) == 2
    sef = _sef(session, cycle, dcs)
    v1, v2 = service.version(session, sef, 1), service.version(session, sef, 2)
    assert HELP_TITLE in rows[0] and "Dee Derby" in rows[0] and v2.content_hash[:12] in rows[0]
    assert f'href="{SEF}/versions/1">View' in rows[1] and v1.content_hash[:12] in rows[1]
    assert '<option value="1" selected>Version 1</option>' in versions
    assert '<option value="2" selected>Version 2</option>' in versions

    one = _get(client, f"{SEF}/versions/1")
    assert "Audits show it." in one and "Audits and feedback show it." not in one
    assert v1.content_hash in one
    assert "This is not the latest text: version 2 is newer." in one

    compare = _get(client, f"{SEF}/compare?a=2&b=1")
    assert '<h1 class="govuk-heading-l">Changes between version 1 and version 2</h1>' in compare
    table = compare.split("What you know, how you know it, and your plans</caption>")[1].split(
        "</table>"
    )[0]
    cells = re.findall(r'<td class="govuk-table__cell">(.*?)</td>', table, re.S)
    assert [c.strip() for c in cells[:2]] == [
        "We know our practice well.",
        "We know our practice well.",
    ]
    assert "<del>" in cells[2] and "Audits show it.</del>" in cells[2]
    assert "<ins>" in cells[3] and "Audits and feedback show it.</ins>" in cells[3]
    assert '<strong aria-hidden="true">Changed</strong>' in cells[2]
    assert (
        '<span class="govuk-visually-hidden">Changed in version 2. Version 2 says: </span>'
        in cells[3]
    )
    assert "Strengths</caption>" not in compare  # only the changed section is tabled
    assert f"{CARE_TITLE}: No changes" in compare

    bad = client.get(f"{SEF}/compare?a=one&b=2")
    assert bad.status_code == 422
    check_page(bad.text)
    assert error_summary(bad.text) == [("#a", "Choose the first version to compare")]
    same = client.get(f"{SEF}/compare?a=2&b=2")
    assert same.status_code == 422
    assert error_summary(same.text) == [("#b", "Choose two different versions to compare")]
    missing = _get(client, f"{SEF}/compare?a=1&b=9", status=404)
    assert "There is no version 9 of this self-evaluation." in missing


def test_a_chapter_post_without_its_security_token_is_refused(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    f.sign_in(client, dcs)
    page = _get(client, f"{SEF}/chapters/{HELP}")
    form = _form(page, narrative="Forged.")
    del form["csrf_token"]
    refused = client.post(f"{SEF}/chapters/{HELP}", data=form)
    assert refused.status_code == 403
    assert check_page(refused.text).title.startswith("Error: The form has expired")
    assert _count(session, cycle, dcs) == 0


def test_the_dcs_assigns_and_removes_a_contributor(
    session: Session, client: TestClient, second_client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    writer = _person(session, Role.CONTRIBUTOR, "Cal Contributor")
    f.sign_in(client, dcs)
    page = _get(client, f"{SEF}/contributors")
    assert "As the Director of Children's Services (DCS), you can write every chapter." in page
    assert f'<option value="{writer.id}">Cal Contributor ({writer.email})</option>' in page
    assert page.count("Nobody: you write it") == 6
    empty = client.post(
        f"{SEF}/contributors", data={"csrf_token": _token(page), "chapter_id": HELP, "user_id": ""}
    )
    assert empty.status_code == 422
    assert error_summary(empty.text) == [("#user_id", "Choose a person from your authority")]
    assigned = client.post(
        f"{SEF}/contributors",
        data={"csrf_token": _token(page), "chapter_id": HELP, "user_id": str(writer.id)},
    )
    assert assigned.status_code == 303, assigned.text
    page = _get(client, f"{SEF}/contributors")
    assert f"Cal Contributor can now draft &#39;{HELP_TITLE}&#39;." in page
    assert page.count("Nobody: you write it") == 5
    assert _remove_buttons(page) == [(f"Remove Cal Contributor from {HELP_TITLE}", "Remove")]

    f.sign_in(second_client, writer)
    _get(second_client, f"{SEF}/chapters/{HELP}")

    contributor = contributors.current(session, _sef(session, cycle, dcs))[0]
    removed = client.post(
        f"{SEF}/contributors/{contributor.id}/remove", data={"csrf_token": _token(page)}
    )
    assert removed.status_code == 303, removed.text
    page = _get(client, f"{SEF}/contributors")
    assert (
        f"Cal Contributor no longer drafts &#39;{HELP_TITLE}&#39;. What they wrote is kept." in page
    )
    assert page.count("Nobody: you write it") == 6
    assert contributors.current(session, _sef(session, cycle, dcs)) == []
    _get(second_client, f"{SEF}/chapters/{HELP}", status=403)
    gone = client.post(
        f"{SEF}/contributors/{contributor.id}/remove", data={"csrf_token": _token(page)}
    )
    assert gone.status_code == 404


def _remove_buttons(html: str) -> list[tuple[str, str]]:
    """(accessible name, visible text) of each Remove button, as a browser reads them."""
    return [
        (unescape(name), text.strip())
        for name, text in re.findall(
            r'/remove">.*?<button[^>]*aria-label="([^"]*)"[^>]*>(.*?)</button>', html, re.S
        )
    ]


def test_a_remove_button_names_the_person_and_chapter_in_an_escaped_attribute(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    odd = _person(session, Role.CONTRIBUTOR, 'Jo "JJ" <b>Jones</b>')
    contributors.assign(
        session, f.principal(session, dcs), cycle, DERBY,
        AssignInput(chapter_id=CARE, user_id=odd.id),
    )  # fmt: skip
    session.commit()
    f.sign_in(client, dcs)
    page = _get(client, f"{SEF}/contributors")
    assert f'aria-label="Remove Jo &#34;JJ&#34; &lt;b&gt;Jones&lt;/b&gt; from {CARE_TITLE}"' in page
    assert "<b>Jones</b>" not in page
    assert _remove_buttons(page) == [(f'Remove Jo "JJ" <b>Jones</b> from {CARE_TITLE}', "Remove")]


def test_assigning_the_same_person_twice_says_so_and_changes_nothing(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    writer = _person(session, Role.CONTRIBUTOR, "Cal Contributor")
    contributors.assign(
        session, f.principal(session, dcs), cycle, DERBY,
        AssignInput(chapter_id=HELP, user_id=writer.id),
    )  # fmt: skip
    session.commit()
    f.sign_in(client, dcs)
    page = _get(client, f"{SEF}/contributors")
    again = client.post(
        f"{SEF}/contributors",
        data={"csrf_token": _token(page), "chapter_id": HELP, "user_id": str(writer.id)},
    )
    assert again.status_code == 409
    assert error_summary(again.text) == [
        ("#user_id", f"Cal Contributor is already drafting '{HELP_TITLE}'.")
    ]
    assert len(contributors.current(session, _sef(session, cycle, dcs))) == 1


def test_only_this_authoritys_dcs_assigns_chapters(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    other = _person(session, Role.DCS, "Lee Leicester", organisation=LEICESTER)
    f.sign_in(client, other)
    refused = unescape(_get(client, f"{SEF}/contributors", status=403))
    assert "You cannot assign chapters of this authority's self-evaluation" in refused


def test_an_edit_after_a_signature_voids_it_visibly(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    who = f.principal(session, dcs)
    write_all(session, cycle, DERBY, who)
    submitted = submit_latest(session, cycle, DERBY, who)
    sign_as(session, cycle, DERBY, who, Role.DCS, submitted.content_hash)
    session.commit()
    f.sign_in(client, dcs)
    show = _get(client, SEF)
    assert "Awaiting sign-off" in show
    assert "1 of 3 signatures" in show
    assert "Submit for sign-off" not in show
    # The DCS has signed: no signature outstanding is theirs.
    assert f'href="{SEF}/sign"' not in show
    assert "Editing a chapter now makes a new version" in show
    page = _get(client, f"{SEF}/chapters/{CARE}")
    assert "Saving a change makes a new version" in page
    saved = client.post(
        f"{SEF}/chapters/{CARE}",
        data=_form(page, strengths="Stable placements.", grade=OfstedGrade.GOOD.value),
    )
    assert saved.status_code == 303, saved.text
    show = unescape(_get(client, SEF))
    assert "The signatures gathered so far no longer count" in show
    void = show.split("Signatures that no longer count")[1].split("</ul>")[0]
    assert "Void" in void and "Dee Derby, Director of Children's Services" in void
    assert f"signed version {submitted.number} on" in void
    assert "Void: the text changed after this signature." in void
    assert "Submit for sign-off" in show  # back in drafting


def test_a_signatory_with_a_signature_outstanding_is_offered_sign_or_return(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    dcs = _person(session, Role.DCS, "Dee Derby")
    member = _person(session, Role.LEAD_MEMBER, "Lyn Member")
    write_all(session, cycle, DERBY, f.principal(session, dcs))
    submit_latest(session, cycle, DERBY, f.principal(session, dcs))
    session.commit()
    f.sign_in(client, member)
    show = _get(client, SEF)
    assert re.search(rf'<a href="{SEF}/sign" role="button"[^>]*>\s*Sign or return\s*</a>', show)
    assert _edit_links(show) == []  # a Lead Member does not write the text
    signatories = show.split('<h3 class="govuk-heading-m">Signatories</h3>')[1].split("</ul>")[0]
    assert "Lead Member" in signatories and "Not yet signed" in signatories


def test_a_signed_self_evaluation_offers_the_pack_and_scrutiny_and_no_editing(
    session: Session, client: TestClient, cycle: Cycle
) -> None:
    from tests.sef_factories import signed_sef

    sef, people = signed_sef(session, cycle)
    session.commit()
    dcs = session.get(User, people[Role.DCS].user_id)
    assert dcs is not None
    f.sign_in(client, dcs)
    show = unescape(_get(client, SEF))
    assert "Signed off by all three signatories on" in show
    assert f'href="{SEF}/pack.pdf" download>Download the pack (PDF)</a>' in show
    assert f'href="{SEF}/scrutiny">Scrutiny</a>' in show
    assert "No comments from scrutineers yet." in show
    assert _edit_links(show) == []
    assert "3 of 3 signatures" in show
    refused = unescape(_get(client, f"{SEF}/chapters/{HELP}", status=409))
    assert "has been signed by all three signatories and shared with its scrutineers" in refused


HISTORY_UNSEEN = (
    "Earlier versions of Derby's self-evaluation are seen only by Derby's own people and the "
    "regional coordinator; you can read the signed version."
)
RETURN_REASON = "The workforce chapter understates agency use."
WORKFORCE = "workforce"


def _signed_after_a_return(session: Session, cycle: Cycle) -> tuple[dict[str, User], str]:
    """Derby written (1-6), signed by its DCS, returned by its Chief Executive with a reason,
    edited (7) and signed by all three. Readers to sign in as, and the signed version's hash."""
    form_proposed_triads(session, cycle)
    signers = {
        role: f.principal(session, f.make_user(session, role, organisation=DERBY, name=name))
        for role, name in (
            (Role.DCS, "Dana Director"),
            (Role.LEAD_MEMBER, "Lee Member"),
            (Role.CHIEF_EXECUTIVE, "Cleo Chief"),
        )
    }
    dana = signers[Role.DCS]
    write_all(session, cycle, DERBY, dana)
    first = submit_latest(session, cycle, DERBY, dana)
    sign_as(session, cycle, DERBY, dana, Role.DCS, first.content_hash)
    returned = ReturnSefInput(
        role=Role.CHIEF_EXECUTIVE, content_hash=first.content_hash, reason=RETURN_REASON
    )
    signoff.return_for_changes(session, signers[Role.CHIEF_EXECUTIVE], cycle, DERBY, returned)
    service.save_chapter(session, dana, cycle, DERBY, WORKFORCE, chapter_input(6, " revised"))
    final = submit_latest(session, cycle, DERBY, dana)
    for role, who in signers.items():
        sign_as(session, cycle, DERBY, who, role, final.content_hash)
    readers = {
        "Derby data lead": f.make_user(session, Role.DATA_LEAD, organisation=DERBY),
        "coordinator": f.make_user(session, Role.REGIONAL_COORDINATOR, region=f.REGION),
        "Derbyshire DCS": f.make_user(session, Role.DCS, organisation=DERBYSHIRE),
        "RISL": f.make_user(session, Role.RISL, region=f.REGION),
    }
    session.commit()
    return readers, final.content_hash


@pytest.fixture
def fresh_client(app: FastAPI) -> Iterator[Callable[[User], TestClient]]:
    """A new browser signed in as the given person (one per person, so nobody's session mixes)."""
    with ExitStack() as stack:

        def signed_in(user: User) -> TestClient:
            browser = stack.enter_context(
                TestClient(app, base_url="https://testserver", follow_redirects=False)
            )
            f.sign_in(browser, user)
            return browser

        yield signed_in


def _version_rows(html: str) -> list[str]:
    return re.findall(rf'href="{SEF}/versions/(\d+)">View', html)


def test_scrutineers_and_the_risl_see_the_signed_version_and_none_of_its_history(
    session: Session, cycle: Cycle, fresh_client: Callable[[User], TestClient]
) -> None:
    readers, signed_hash = _signed_after_a_return(session, cycle)
    for name in ["Derbyshire DCS", "RISL"]:
        browser = fresh_client(readers[name])
        show = unescape(_get(browser, SEF))
        assert "Signed off by all three signatories on" in show, name
        assert "We know our practice well revised." in show
        assert "Versions and changes" not in show and f'href="{SEF}/versions"' not in show
        assert RETURN_REASON not in show and "Returned for changes" not in show
        signatories = show.split('<h3 class="govuk-heading-m">Signatories</h3>')[1]
        signatories = signatories.split("</ul>")[0]
        signed_by = re.findall(r'<br><span class="govuk-body-s">([^,<]+), \d', signatories)
        assert signed_by == ["Dana Director", "Lee Member", "Cleo Chief"]
        versions = unescape(_get(browser, f"{SEF}/versions"))
        assert _version_rows(versions) == ["7"], name
        assert signed_hash[:12] in versions
        assert "Compare two versions" not in versions and f"{SEF}/compare" not in versions
        assert (
            "You can read the version Derby signed. Earlier versions, and the changes between "
            "them, are seen only by Derby's own people and the regional coordinator." in versions
        )
        for path in (f"{SEF}/versions/1", f"{SEF}/versions/6", f"{SEF}/compare?a=6&b=7",
                     f"{SEF}/compare?a=one&b=7"):  # fmt: skip
            refused = unescape(_get(browser, path, status=403))
            assert HISTORY_UNSEEN in refused, (name, path)
            assert "Audits show it." not in refused
        signed = unescape(_get(browser, f"{SEF}/versions/7"))
        assert signed_hash in signed and "We know our practice well revised." in signed
        assert "See what changed from version 6" not in signed
        assert f"{SEF}/compare" not in signed


def test_the_authority_and_its_coordinator_still_see_every_version_and_return(
    session: Session, cycle: Cycle, fresh_client: Callable[[User], TestClient]
) -> None:
    readers, signed_hash = _signed_after_a_return(session, cycle)
    for name in ["Derby data lead", "coordinator"]:
        browser = fresh_client(readers[name])
        show = unescape(_get(browser, SEF))
        assert f'href="{SEF}/versions">Versions and changes</a>' in show, name
        returned = show.split('<h3 class="govuk-heading-m">Returned for changes</h3>')[1]
        returned = returned.split("</ul>")[0]
        assert "Cleo Chief, Chief Executive</strong>, returned version 6 on" in returned
        assert f"Reason: {RETURN_REASON}" in returned
        versions = _get(browser, f"{SEF}/versions")
        assert _version_rows(versions) == ["7", "6", "5", "4", "3", "2", "1"], name
        assert "Compare two versions" in versions
        assert "Audits show it." in _get(browser, f"{SEF}/versions/1")
        signed = unescape(_get(browser, f"{SEF}/versions/7"))
        assert f'href="{SEF}/compare?a=6&b=7">See what changed from version 6</a>' in signed
        compared = _get(browser, f"{SEF}/compare?a=6&b=7")
        assert "Changes between version 6 and version 7</h1>" in compared
