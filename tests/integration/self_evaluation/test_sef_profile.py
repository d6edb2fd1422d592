"""The LA's data profile beside each self-evaluation chapter: what lands where, who sees it, when."""

import io
import json
import re
from datetime import date
from html import unescape
from typing import Any

import pytest
from markupsafe import escape
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.auth.principal import Principal
from app.auth.roles import Role
from app.benchmarks import pack
from app.pack.render import html_to_pdf
from app.reference import get_reference
from app.reference.sef import SefTemplate
from app.self_evaluation import profile as sef_profile
from app.self_evaluation.pack_appendix import build_appendix
from app.self_evaluation.profile import SefDataProfile, profile_digest, sef_data_profile
from app.structured_text import canonical_json
from app.web import env
from tests import factories as f
from tests.conftest import PageChecker
from tests.indicator_factories import add_return

REGION = "east-midlands"
DERBY, LEICESTER, LINCOLNSHIRE = "E06000015", "E06000016", "E10000019"
Q1, Q2 = "2026-27 Q1", "2026-27 Q2"
# Q2's return window closes on 30 October 2026; the region's other LAs see it from 31 October.
BEFORE_RELEASE = date(2026, 10, 20)

REFERRALS = "referrals_rate_per_10k"
ASSESSMENTS = "assessments_within_45wd_pct"
ICPC = "icpc_within_15wd_pct"
CPP = "cpp_rate_per_10k"
CPP_REPEAT = "cpp_second_or_subsequent_pct"
AGENCY = "sw_agency_rate_fte_pct"


def template() -> SefTemplate:
    return get_reference().sef_templates["sef-east-midlands"]


CHAPTERS = tuple(c.id for c in get_reference().sef_templates["sef-east-midlands"].chapters)


def seed(session: Session, *, quarters: tuple[str, ...] = (Q1, Q2)) -> None:
    """Derby's assessments fall below the region's 75 % line in Q2 and its agency rate rises past
    25 %; ICPCs improve. The Q2 return came in late. Leicester returned two figures only."""
    f.open_cycle(session)
    by = f.make_user(session)
    if Q1 in quarters:
        add_return(
            session,
            DERBY,
            Q1,
            {AGENCY: 22.0, CPP: 45.0, ICPC: 80.0, ASSESSMENTS: 78.0, REFERRALS: 480.0},
            submitted_by=by,
        )
    # Listed out of the chapter's order on purpose: the chapter's order is what counts.
    add_return(
        session,
        DERBY,
        Q2,
        {
            AGENCY: 28.0,
            CPP_REPEAT: "c",
            CPP: 45.0,
            ICPC: 88.0,
            ASSESSMENTS: 72.0,
            REFERRALS: 510.5,
        },
        submitted_by=by,
        late=True,
        commentary={ASSESSMENTS: "Two teams short of staff <all summer>"},
    )
    add_return(session, LEICESTER, Q2, {ASSESSMENTS: 90.0, AGENCY: 12.0}, submitted_by=by)


def dcs(session: Session, la_code: str) -> Principal:
    return f.signatory(session, la_code, Role.DCS)


def ids(profile: SefDataProfile, chapter_id: str) -> list[str]:
    return [i.indicator_id for i in profile.chapters[chapter_id].indicators]


def test_each_chapter_gets_its_indicators_in_order_and_the_flags_on_them(session: Session) -> None:
    seed(session)
    profile = sef_data_profile(session, f.coordinator(session), REGION, DERBY, template())
    assert (profile.la_code, profile.la_name) == (DERBY, "Derby")
    assert (profile.period, profile.period_label) == (Q2, "July to September 2026")
    assert profile.notice is None
    assert list(profile.chapters) == [c.id for c in template().chapters]
    # The chapter lists nine; Derby returned five of them (one as a confidentiality code).
    assert ids(profile, "help-and-protection") == [REFERRALS, ASSESSMENTS, ICPC, CPP, CPP_REPEAT]
    assert ids(profile, "partnerships-and-early-help") == [REFERRALS]
    assert ids(profile, "workforce") == [AGENCY]
    assert ids(profile, "children-in-care") == []
    assert ids(profile, "leadership-and-management") == []

    # Most important first (issue 10): the unsigned MoU, the late return, then the furthest
    # beyond its threshold.
    assert [(fl.rule, fl.indicator_id) for fl in profile.flags] == [
        ("missed_signoff", None),
        ("late_return", None),
        ("threshold", AGENCY),
        ("threshold", ASSESSMENTS),
    ]
    protection = profile.chapters["help-and-protection"]
    assert [(fl.rule, fl.indicator_id) for fl in protection.flags] == [("threshold", ASSESSMENTS)]
    assert protection.flags[0].explanation == (
        "Assessments completed within 45 working days was 72.0% in 2026-27 Q2, below the "
        "region's threshold of 80%. Fewer than four in five assessments on time means families "
        "wait for help; England is 85.7%."
    )
    assert [fl.indicator_id for fl in profile.chapters["workforce"].flags] == [AGENCY]
    # The engagement flag has no indicator, so it sits only in the summary.
    for chapter in profile.chapters.values():
        assert "late_return" not in {fl.rule for fl in chapter.flags}
    assert not profile.chapters["partnerships-and-early-help"].flags

    assessments = protection.indicators[1]
    assert assessments.figure.text == "72.0%"
    assert assessments.figure.direction == "worsening"
    assert assessments.region_median_text == "81.0%"
    assert assessments.quartile_text == "in the region's lowest quarter, where higher is better"
    repeat = protection.indicators[4]
    assert (repeat.figure.text, repeat.figure.missing_text) == (
        "c",
        "c: not shown, to protect confidentiality (small numbers)",
    )
    assert profile.strengths == (
        (
            "ICPCs within 15 working days of s47 start",
            "Improving, from 80.0% to 88.0%; in the region's highest quarter, where higher is better",
        ),
    )


def test_the_same_indicator_beside_two_chapters_keeps_its_ids_apart(session: Session) -> None:
    seed(session)
    profile = sef_data_profile(session, f.coordinator(session), REGION, DERBY, template())
    protection = profile.chapters["help-and-protection"].indicators[0]
    early_help = profile.chapters["partnerships-and-early-help"].indicators[0]
    assert protection.chart.text_alternative == early_help.chart.text_alternative
    assert 'id="help-and-protection-chart-referrals_rate_per_10k-desc"' in protection.chart.svg
    assert 'id="partnerships-and-early-help-chart-referrals_rate_per_10k-desc"' in (
        early_help.chart.svg
    )
    html = env.from_string(
        '{% from "sef/_profile.html" import chapter_profile, profile_summary %}'
        "{{ profile_summary(p) }}"
        "{% for c in p.chapters %}{{ chapter_profile(p, c, heading_level=3) }}{% endfor %}"
    ).render(p=profile)
    checker = PageChecker()
    checker.feed(html)
    assert len(checker.ids) == len(set(checker.ids))


def test_the_las_own_dcs_sees_its_figures_before_the_region_does(session: Session) -> None:
    seed(session, quarters=(Q2,))
    mine = sef_data_profile(
        session, dcs(session, DERBY), REGION, DERBY, template(), today=BEFORE_RELEASE
    )
    assert mine.period == Q2
    assert mine.notice == (
        "Only figures you may already see are shown. Other local authorities' figures and the "
        "region's medians are shared with you from 31 October 2026, under the region's data terms."
    )
    assert ids(mine, "help-and-protection") == [REFERRALS, ASSESSMENTS, ICPC, CPP, CPP_REPEAT]
    assert mine.chapters["help-and-protection"].indicators[1].region_median_text is None
    # The window is still open, so a return is not late yet.
    assert [(fl.rule, fl.indicator_id) for fl in mine.flags] == [
        ("missed_signoff", None),
        ("threshold", AGENCY),
        ("threshold", ASSESSMENTS),
    ]


def test_another_las_dcs_sees_nothing_until_the_region_release(session: Session) -> None:
    seed(session, quarters=(Q2,))
    leicester = dcs(session, LEICESTER)
    before = sef_data_profile(session, leicester, REGION, DERBY, template(), today=BEFORE_RELEASE)
    assert before == SefDataProfile(
        la_code=DERBY,
        la_name="Derby",
        period=None,
        period_label=None,
        notice="No quarterly figures are shared with you for Derby yet.",
        strengths=(),
        flags=(),
        chapters=before.chapters,
    )
    assert list(before.chapters) == [c.id for c in template().chapters]
    for chapter_id, chapter in before.chapters.items():
        assert (chapter.chapter_id, chapter.indicators, chapter.flags) == (chapter_id, (), ())
    # From the release (the suite's day is 23 November 2026) the figures are there.
    after = sef_data_profile(session, leicester, REGION, DERBY, template())
    assert after.period == Q2
    assert ids(after, "workforce") == [AGENCY]


def test_an_la_with_no_returns_says_so_only_to_those_who_would_see_them(
    session: Session,
) -> None:
    seed(session)
    by_coordinator = sef_data_profile(
        session, f.coordinator(session), REGION, LINCOLNSHIRE, template()
    )
    assert by_coordinator.period is None
    assert by_coordinator.notice == "Lincolnshire has not submitted a quarterly return yet."
    assert set(by_coordinator.chapters) == {c.id for c in template().chapters}
    # Whether an LA has returned is data too: before the release, say only that none is shared.
    early = sef_data_profile(
        session, dcs(session, LEICESTER), REGION, LINCOLNSHIRE, template(), today=BEFORE_RELEASE
    )
    assert early.notice == "No quarterly figures are shared with you for Lincolnshire yet."


def test_one_profile_is_built_per_self_evaluation_profile(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(session)
    calls = []

    def counted(*args: Any, **kwargs: Any) -> pack.Profile:
        calls.append(args)
        return pack.build_profile(*args, **kwargs)

    monkeypatch.setattr(sef_profile, "build_profile", counted)
    sef_data_profile(session, f.coordinator(session), REGION, DERBY, template())
    assert len(calls) == 1


def test_the_digest_is_plain_json_and_stable(session: Session) -> None:
    seed(session)
    who = f.coordinator(session)
    first = profile_digest(sef_data_profile(session, who, REGION, DERBY, template()))
    again = profile_digest(sef_data_profile(session, who, REGION, DERBY, template()))
    assert canonical_json(first) == canonical_json(again)
    decoded = json.loads(json.dumps(first))
    assert decoded["period"] == Q2
    assert [i["indicator_id"] for i in decoded["chapters"]["workforce"]["indicators"]] == [AGENCY]
    empty = profile_digest(sef_data_profile(session, who, REGION, LINCOLNSHIRE, template()))
    assert json.loads(json.dumps(empty))["chapters"]["workforce"]["indicators"] == []


def test_the_chapter_macro_shows_figures_charts_strengths_then_flags(session: Session) -> None:
    seed(session)
    profile = sef_data_profile(session, f.coordinator(session), REGION, DERBY, template())
    html = env.from_string(
        '{% from "sef/_profile.html" import chapter_profile %}'
        '{{ chapter_profile(p, "help-and-protection") }}'
    ).render(p=profile)
    assert "The data beside this chapter" in html
    assert "Derby, 2026-27 Q2 (July to September 2026)" in html
    protection = profile.chapters["help-and-protection"]
    for item in protection.indicators:
        assert f">{escape(item.name)}</h3>" in html
        # The chart's text alternative is in the SVG's desc and in the figure's caption.
        alternative = escape(item.chart.text_alternative)
        assert f'-desc">{alternative}</desc>' in html
        assert f'<figcaption class="govuk-body-s app-chart-figure__caption">{alternative}' in html
    assessments = protection.indicators[1]
    assert assessments.chart.text_alternative.startswith(
        "Assessments completed within 45 working days: 72.0% in 2026-27 Q2, compared with "
        "78.0% in 2026-27 Q1 (worsening). In 2026-27 Q2: region median 81.0%."
    )
    assert "72.0%" in html and "510.5 per 10,000 children" in html
    assert "c: not shown, to protect confidentiality (small numbers)" in html
    assert (
        "Region median" in html
        and "81.0% (Derby is in the region&#39;s lowest quarter, where higher is better)" in html
    )
    assert '<span class="app-direction__words">worsening</span>' in html
    # The LA's commentary is escaped, never markup, in a paragraph of its own after the summary
    # list (whose `html` value carries no text the LA wrote).
    said = (
        '<p class="govuk-body">Derby\'s commentary: Two teams short of staff &lt;all summer&gt;</p>'
    )
    assert html.count(said) == 1
    lists = re.findall(r'<dl class="govuk-summary-list.*?</dl>', html, re.S)
    assert lists and not any("Two teams short of staff" in found for found in lists)
    # Strengths on the chapter's indicators come before its signatures of risk.
    strength = "<strong>ICPCs within 15 working days of s47 start:</strong> Improving, from 80.0%"
    risk = "Assessments completed within 45 working days below the region&#39;s threshold."
    assert strength in html and risk in html
    assert html.index(strength) < html.index(risk) < html.index("<svg")
    assert "Quarterly return received late" not in html
    assert "<a " not in html

    workforce = env.from_string(
        '{% from "sef/_profile.html" import chapter_profile %}{{ chapter_profile(p, "workforce") }}'
    ).render(p=profile)
    assert "Strengths" not in workforce and "Agency social worker rate (FTE) above" in workforce

    none = env.from_string(
        '{% from "sef/_profile.html" import chapter_profile %}'
        '{{ chapter_profile(p, "leadership-and-management") }}'
    ).render(p=profile)
    assert "Derby has no quarterly figures to show beside this chapter for 2026-27 Q2." in none


def test_the_summary_macro_lists_strengths_then_the_top_flags(session: Session) -> None:
    seed(session)
    profile = sef_data_profile(session, f.coordinator(session), REGION, DERBY, template())
    html = env.from_string(
        '{% from "sef/_profile.html" import profile_summary %}{{ profile_summary(p) }}'
    ).render(p=profile)
    assert "2026-27 Q2 (July to September 2026)" in html
    assert html.index("ICPCs within 15 working days") < html.index("Quarterly return received late")
    for flag in profile.top_flags:
        assert f"<strong>{escape(flag.title)}.</strong>" in html
    (hidden,) = profile.flags[3:]
    assert f"<strong>{escape(hidden.title)}.</strong>" not in html
    link = (
        '<a class="govuk-link" href="/regions/east-midlands/las/E06000015/flags?period=2026-27-q2">'
    )
    assert html.count("<a ") == 1 and f"{link}and 1 more" in html and "<svg" not in html


def test_the_macros_show_the_notice_when_nothing_is_shared(session: Session) -> None:
    seed(session, quarters=(Q2,))
    profile = sef_data_profile(
        session, dcs(session, LEICESTER), REGION, DERBY, template(), today=BEFORE_RELEASE
    )
    for source in (
        '{% from "sef/_profile.html" import chapter_profile %}'
        '{{ chapter_profile(p, "help-and-protection") }}',
        '{% from "sef/_profile.html" import profile_summary %}{{ profile_summary(p) }}',
        '{% from "pdf/_sef_profile.html" import data_appendix %}{{ data_appendix(a, p) }}',
    ):
        html = env.from_string(source).render(p=profile, a=build_appendix(profile, CHAPTERS))
        assert "No quarterly figures are shared with you for Derby yet." in html
        assert "<svg" not in html and "Signatures of risk" not in html


def test_the_pdf_appendix_prints_each_indicator_once_with_its_chart_and_text(
    session: Session,
) -> None:
    seed(session)
    profile = sef_data_profile(session, f.coordinator(session), REGION, DERBY, template())
    appendix = build_appendix(profile, CHAPTERS)
    html = env.from_string(
        '{% extends "pdf/base.html" %}'
        '{% from "pdf/_sef_profile.html" import sef_profile_styles, chapter_citations, '
        "data_appendix %}"
        "{% block content %}{{ sef_profile_styles() }}"
        '<h2>Help and protection</h2>{{ chapter_citations(a, p, "help-and-protection", 3) }}'
        "{{ data_appendix(a, p) }}"
        "{% endblock %}"
    ).render(p=profile, a=appendix)
    protection = profile.chapters["help-and-protection"]
    # The chapter cites its indicators by their appendix numbers, in the chapter's order.
    cited = re.findall(r"<li>(A\d+) ([^<(]+?)(?: \(|</li>)", html)
    assert cited[: len(protection.indicators)] == [
        (f"A{n}", str(escape(item.name))) for n, item in enumerate(protection.indicators, start=1)
    ]
    for item in protection.indicators:
        assert html.count(f". {escape(item.name)}</h3>") == 1
        alternative = escape(item.chart.text_alternative)
        assert html.count(f"<figcaption>{alternative}</figcaption>") == 1
    assert "72.0%; worsening" in html
    assert "Region median</dt><dd>81.0%; in the region&#39;s lowest quarter, where higher" in html
    assert html.index("Improving, from 80.0%") < html.index("below the region&#39;s threshold")
    assert "govuk-" not in html

    pdf = html_to_pdf(html, title="Derby: self-evaluation")
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text() for page in reader.pages).split())
    assert "The data for this chapter: see appendix" in text
    assert "Appendix: data profile" in text
    assert "Assessments completed within 45 working days" in text
    assert "compared with 78.0% in 2026-27 Q1 (worsening)" in text


def _facts(html: str, indicator_name: str) -> dict[str, str]:
    """One indicator's entry in the compact summary: its facts as {label: value}, and its tags."""
    block = html.split(f">{escape(indicator_name)}</a></h3>", 1)[1].split(
        "app-sef-summary__indicator"
    )[0]
    words = lambda s: unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", s))).strip()  # noqa: E731
    facts = {
        words(k): words(v)
        for k, v in re.findall(r"<dt[^>]*>(.*?)</dt>\s*<dd[^>]*>(.*?)</dd>", block, re.S)
    }
    facts["tags"] = " | ".join(words(t) for t in re.findall(r"<li>(.*?)</li>", block, re.S))
    return facts


def test_the_chapter_summary_puts_each_figure_on_a_line_beside_the_form(session: Session) -> None:
    seed(session)
    profile = sef_data_profile(session, f.coordinator(session), REGION, DERBY, template())
    html = env.from_string(
        '{% from "sef/_profile.html" import chapter_summary %}'
        '{{ chapter_summary(p, "help-and-protection") }}'
    ).render(p=profile)
    PageChecker().feed(html)
    assert "The data beside this chapter" in html
    assert "Derby, 2026-27 Q2 (July to September 2026)." in html
    # Value and direction, region median, England; a flag and a strength as tags, no chart.
    assert _facts(html, "Assessments completed within 45 working days") == {
        "Derby": "72.0% ▼ worsening",
        "Region median": "81.0%",
        "England": "85.7% (published 2024-25)",
        "tags": "Signature of risk Assessments completed within 45 working days below the "
        "region's threshold",
    }
    assert _facts(html, "ICPCs within 15 working days of s47 start")["tags"] == "Strength"
    assert _facts(html, "CP plans for a second or subsequent time")["Derby"] == (
        "c (c: not shown, to protect confidentiality (small numbers))"
    )
    assert "<svg" not in html and "<table" not in html
    # Each name links to its chart and full figures, printed by chapter_profile below the form.
    full = env.from_string(
        '{% from "sef/_profile.html" import chapter_profile %}'
        '{{ chapter_profile(p, "help-and-protection") }}'
    ).render(p=profile)
    for item in profile.chapters["help-and-protection"].indicators:
        target = f"help-and-protection-data-{item.indicator_id}"
        assert html.count(f'href="#{target}"') == 1 and f'id="{target}"' in full
