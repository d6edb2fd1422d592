"""Words for the demonstration self-evaluations: chapters written from each LA's own figures.

Grades follow each authority's usual grade, moved a step by a chapter's evidence (a signature of
risk makes a lower grade likelier), and never fall to inadequate. The phrases are plausible and
anonymous: no text names a person, and every figure quoted is the LA's demonstration data.
"""

import random

from app.demo import YEAR
from app.reference.models import LocalAuthority
from app.reference.sef import OfstedGrade, SefChapter
from app.self_evaluation.profile import SefDataProfile
from app.self_evaluation.schemas import ChapterInput

# Each authority's usual self-assessed grade, before a chapter's own evidence moves it one step.
# Invented for the demonstration: no inspection's outcome, and no text says what Ofsted found.
_USUAL = {
    "E06000015": OfstedGrade.GOOD,  # Derby
    "E10000007": OfstedGrade.GOOD,  # Derbyshire
    "E06000016": OfstedGrade.REQUIRES_IMPROVEMENT,  # Leicester
    "E10000018": OfstedGrade.GOOD,  # Leicestershire
    "E10000019": OfstedGrade.OUTSTANDING,  # Lincolnshire
    "E06000061": OfstedGrade.REQUIRES_IMPROVEMENT,  # North Northamptonshire
    "E06000018": OfstedGrade.REQUIRES_IMPROVEMENT,  # Nottingham
    "E10000024": OfstedGrade.GOOD,  # Nottinghamshire
    "E06000017": OfstedGrade.GOOD,  # Rutland
    "E06000062": OfstedGrade.REQUIRES_IMPROVEMENT,  # West Northamptonshire
}
# The Ofsted scale from the bottom up.
_SCALE: tuple[OfstedGrade, ...] = tuple(reversed(OfstedGrade))
_JUDGEMENT = {
    OfstedGrade.OUTSTANDING: "Practice here is strong, consistent and still improving",
    OfstedGrade.GOOD: "Practice here is consistently good, with pockets we are still lifting",
    OfstedGrade.REQUIRES_IMPROVEMENT: "Practice here is not yet consistently good",
    OfstedGrade.INADEQUATE: "Practice here is not yet safe enough for every child",
}
# Per chapter: what leaders know, how they know it, what they will do, strengths, development.
_CHAPTER_WORDS: dict[str, tuple[tuple[str, ...], ...]] = {
    "help-and-protection": (
        (
            "Decisions at the front door are timely and proportionate for most children",
            "Thresholds are understood by partners, though referrals from schools vary by area",
        ),
        (
            "Monthly thematic audits of contacts and assessments, moderated by practice leads",
            "Feedback from families collected at the close of every child protection plan",
        ),
        (
            "Embed the revised strategy discussion guidance with police and health partners",
            "Review every second child protection plan with the family and independent chair",
        ),
        (
            "Strategy discussions are held quickly and involve the right partners",
            "Children's voices are clearly recorded in assessments",
        ),
        (
            "Consistency of assessment quality across teams",
            "Planning for children who return to child protection plans",
        ),
    ),
    "children-in-care": (
        (
            "Most children live in stable homes close to their schools and friends",
            "Permanence is planned early, and sibling groups are kept together wherever possible",
        ),
        (
            "Audits of care plans and statutory visits, and the children in care council",
            "Independent reviewing officers' midpoint reviews and the annual survey of children",
        ),
        (
            "Open two more local children's homes and widen the foster carer offer",
            "Reduce changes of social worker for children in care",
        ),
        ("Children's participation in their reviews", "Early permanence planning"),
        (
            "Placement sufficiency for older children with complex needs",
            "Timeliness of health assessments",
        ),
    ),
    "care-leavers": (
        (
            "Care leavers stay in touch with their personal advisers and most feel supported",
            "The local offer has widened, with council tax relief and apprenticeships",
        ),
        (
            "Care leavers' forum, pathway plan audits and exit conversations at 21 and 25",
            "Tracking of education, employment and training by personal advisers each month",
        ),
        (
            "Grow supported lodgings and staying close arrangements",
            "Guarantee an apprenticeship interview to every care leaver who wants one",
        ),
        ("Relationships between care leavers and personal advisers", "The local offer"),
        (
            "Education, employment and training for 19 to 21 year olds",
            "Suitable homes for young people leaving custody",
        ),
    ),
    "leadership-and-management": (
        (
            "Leaders know their services well and act on what they find",
            "The Lead Member and Chief Executive challenge practice through regular performance "
            "sessions",
        ),
        (
            "Practice weeks, performance clinics and the quality assurance framework",
            "Scrutiny committee reviews and feedback from staff surveys",
        ),
        (
            "Refresh the improvement plan with partners and the safeguarding partnership",
            "Widen leaders' direct work with children through practice weeks",
        ),
        ("Leaders' grip on performance and quality", "Corporate parenting across the council"),
        ("Pace of change in a few teams", "Joint commissioning with health partners"),
    ),
    "workforce": (
        (
            "Social workers say caseloads are manageable and supervision is regular",
            "Recruitment and retention have improved since the academy opened",
        ),
        (
            "Monthly workforce dashboards, exit interviews and the annual health check",
            "Supervision audits and the principal social worker's practice forums",
        ),
        (
            "Convert agency posts to permanent roles through the regional pledge",
            "Grow the social work academy intake and the step-up programme",
        ),
        ("Supervision is regular and reflective", "The social work academy"),
        ("Reliance on agency social workers in some teams", "Retaining experienced managers"),
    ),
    "partnerships-and-early-help": (
        (
            "Families get help early through family hubs, and most need no further service",
            "Partners share responsibility and take the lead professional role",
        ),
        (
            "Early help audits, partner surveys and families' feedback at the close of support",
            "Multi-agency audits commissioned by the safeguarding partnership",
        ),
        (
            "Extend family hubs to every district and join up data with schools",
            "Train partners in using the graduated approach to need",
        ),
        ("Family hubs", "Schools' engagement in early help"),
        (
            "Step-down from children's social care to early help",
            "Health partners taking the lead professional role",
        ),
    ),
}


_SINCE = {
    "improving": "better than",
    "worsening": "worse than",
    "no_change": "unchanged from",
    "increasing": "up on",
    "decreasing": "down on",
}


def _grade(la_code: str, chapter_id: str, flagged: bool) -> OfstedGrade:
    """The authority's usual grade, moved a step by the chapter's evidence, never to inadequate."""
    usual = _USUAL.get(la_code, OfstedGrade.GOOD)
    rng = random.Random(f"{la_code}:{chapter_id}:grade")  # noqa: S311  (demonstration text)
    step = -1 if flagged and rng.random() < 0.6 else (1 if rng.random() < 0.2 else 0)
    index = min(max(_SCALE.index(usual) + step, 1), len(_SCALE) - 1)
    return _SCALE[index]


def _figures(profile: SefDataProfile, chapter_id: str) -> str:
    sentences = []
    for item in profile.chapters[chapter_id].indicators[:3]:
        sentence = f"{item.name} was {item.figure.text} in {profile.period}"
        if item.figure.direction in _SINCE:
            sentence += f", {_SINCE[item.figure.direction]} the quarter before"
        if item.region_median_text:
            sentence += f" (region median {item.region_median_text})"
        sentences.append(sentence + ".")
    return " ".join(sentences)


def chapter_text(la: LocalAuthority, chapter: SefChapter, profile: SefDataProfile) -> ChapterInput:
    """A plausible chapter for this authority, answering its own figures; base_version unset."""
    words = _CHAPTER_WORDS.get(chapter.id, _CHAPTER_WORDS["leadership-and-management"])
    knows, how, plans, strong, develop = words
    rng = random.Random(f"{la.code}:{chapter.id}")  # noqa: S311  (demonstration text)
    data = profile.chapters[chapter.id]
    grade = _grade(la.code, chapter.id, bool(data.flags))
    figures = _figures(profile, chapter.id)
    # The year the latest figures belong to: the quarters the audits ran in, written that autumn.
    year = (profile.period or YEAR)[:7]
    # The authority's own view, said as such: never an inspection's outcome (issue 10).
    opening = f"In our own assessment, {_JUDGEMENT[grade][0].lower()}{_JUDGEMENT[grade][1:]}"
    narrative = [f"{opening} in {la.name}. {rng.choice(knows)}."]
    if figures:
        narrative.append(f"What the data tells us: {figures}")
    narrative.append(f"We know this from: {rng.choice(how).lower()}.")
    plan = rng.choice(plans)
    narrative.append(f"Over the next 12 months we will {plan[0].lower()}{plan[1:]}.")
    names = {item.name for item in data.indicators}
    data_strengths = [f"{name}: {why.lower()}." for name, why in profile.strengths if name in names]
    risks = [flag.explanation for flag in data.flags]  # each names its indicator
    return ChapterInput(
        grade=grade,
        narrative="\n\n".join(narrative),
        strengths="\n\n".join([f"{s}." for s in strong] + data_strengths[:1]),
        areas_for_development="\n\n".join([f"{d}." for d in develop] + risks[:1]),
        signatures_of_strength="\n\n".join(data_strengths) or f"{strong[0]}, seen in audit.",
        signatures_of_risk="\n\n".join(risks)
        or "None of this chapter's indicators carries a signature of risk this quarter.",
        evidence=f"Quality assurance reports {year} Q1 and Q2; {rng.choice(how)}.",
    )


# What a peer DCS asks about each chapter: a question, and the reply the LA's DCS gives.
QUESTIONS: dict[str, tuple[str, str]] = {
    "help-and-protection": (
        "How do you know that children who come back to the front door within a year are "
        "getting a different response the second time?",
        "Every re-referral within 12 months is now reviewed by a team manager, and the audit "
        "of those reviews reports to the practice board in February.",
    ),
    "children-in-care": (
        "The chapter says most children live in stable homes. What is the picture for "
        "teenagers who came into care after 14?",
        "It is weaker for them: we have added their placement moves to the monthly "
        "performance clinic and will report the trend in our improvement plan.",
    ),
    "care-leavers": (
        "What do care leavers themselves say about the local offer, and what changed "
        "because of it?",
        "The care leavers' forum asked for help with rent deposits; that is now part of the "
        "offer, and the forum reviews it each spring.",
    ),
    "leadership-and-management": (
        "Which decision by leaders this year made the biggest difference for children, and "
        "how do you know?",
        "Moving two practice leads into the front door: audit grades there rose over two "
        "quarters, and families' feedback at closure improved.",
    ),
    "workforce": (
        "Caseloads are described as manageable. Is that true in every team, including "
        "the assessment teams?",
        "Not in every team: assessment caseloads run higher, and we have agreed additional "
        "posts there from April.",
    ),
    "partnerships-and-early-help": (
        "How do partners hold each other to account when a family's early help stalls?",
        "Stalled plans now go to a monthly multi-agency panel chaired in turn by police, "
        "health and education leads.",
    ),
}
_CHALLENGE = (
    "We read the evidence in this chapter as {suggested} rather than {own}: {why} We would "
    "welcome a conversation about the grade at the triad meeting."
)
_CHALLENGE_WHY = {
    "lower": "the audits described are positive, but the data shows the improvement is recent "
    "and not yet sustained.",
    "higher": "the audit findings and the data together show more consistent practice than "
    "the chapter claims.",
}
CHALLENGE_ANSWER = (
    "Thank you. We have kept our grade, and will bring the latest audit findings to the triad "
    "meeting so that we can test it together."
)


def challenge(own: OfstedGrade) -> tuple[OfstedGrade, str]:
    """A scrutineer's grade challenge: one step down, or up from requires improvement; and why."""
    if own is OfstedGrade.REQUIRES_IMPROVEMENT:
        suggested, way = OfstedGrade.GOOD, "higher"
    else:
        suggested, way = _SCALE[_SCALE.index(own) - 1], "lower"
    body = _CHALLENGE.format(
        suggested=suggested.label.lower(), own=own.label.lower(), why=_CHALLENGE_WHY[way]
    )
    return suggested, body
