"""The bank of KLOE prompts (regions/kloe_bank.yaml): what ships, where each comes from, and
what a broken file says."""

from pathlib import Path

import pytest

from app.reference import ReferenceDataError
from app.reference.kloe_bank import (
    KLOE_BANK_FILE,
    PromptSource,
    get_kloe_bank,
    load_kloe_bank,
)
from tests.unit.reference_files import edit, put

PROJECT = Path(__file__).resolve().parents[2]
SEEDS = PROJECT.parent / "shared" / "seeds"
REGIONS = frozenset({"east-midlands", "north-east"})


def test_the_shipped_bank_holds_the_three_sources_and_no_commissioners_tests() -> None:
    bank = get_kloe_bank()
    by_source = {s: [p for p in bank.prompts if p.source is s] for s in PromptSource}
    assert [p.text for p in by_source[PromptSource.OFSTED]] == [
        "What do you know about the quality and impact of social work practice?",
        "How do you know it?",
        "What are your plans for the next 12 months?",
    ]
    assert len(by_source[PromptSource.PRACTICE_BRIEFING]) == 17
    assert len(by_source[PromptSource.AUDIT_OF_SERVICE]) == 7
    assert by_source[PromptSource.REGION] == []
    assert bank.for_region("east-midlands") == bank.prompts
    words = " ".join(p.text.lower() for p in bank.prompts)
    assert "commissioner" not in words and "capacity to improve" not in words


@pytest.mark.skipif(not SEEDS.is_dir(), reason="needs ../shared/seeds beside the project")
def test_every_seed_prompt_quotes_the_line_it_cites() -> None:
    for prompt in get_kloe_bank().prompts:
        if not prompt.cite.startswith("seeds/"):
            continue
        name, line = prompt.cite.removeprefix("seeds/").split(":")
        text = (SEEDS / name).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        quoted = prompt.text.split(": what happens now")[0]
        # The grid's one typo ("is their sufficient stability") is corrected in the prompt.
        assert quoted in text.replace("is their sufficient", "is there sufficient"), prompt.id


def _copy(tmp_path: Path) -> Path:
    """A copy of the shipped bank, the starting point of every broken one."""
    target = tmp_path / KLOE_BANK_FILE
    target.parent.mkdir(parents=True)
    target.write_text((PROJECT / KLOE_BANK_FILE).read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


def test_a_region_adds_its_own_prompts(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    own = {"id": "em-sufficiency", "source": "region", "theme": "Sufficiency", "text": "Where?"}
    edit(root, KLOE_BANK_FILE, put("regions", {"east-midlands": [own]}))
    bank = load_kloe_bank(root, REGIONS)
    assert [p.id for p in bank.for_region("east-midlands")][-1] == "em-sufficiency"
    assert "em-sufficiency" not in bank.by_id("north-east")
    assert bank.by_id("east-midlands")["em-sufficiency"].source.label == (
        "Your region's own prompts"
    )


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            put("regions", {"wessex": []}),
            "regions/kloe_bank.yaml: unknown region wessex under regions",
        ),
        (
            put("prompts.0.source", "region"),
            "regions/kloe_bank.yaml: a shipped prompt cannot have source region "
            "(put it under regions:)",
        ),
        (
            put("prompts.1.id", "ofsted-what-do-you-know"),
            "regions/kloe_bank.yaml: prompt id listed twice: ofsted-what-do-you-know",
        ),
        (
            put("prompts.2.cite", delete=True),
            "regions/kloe_bank.yaml: every shipped prompt says where it comes from (cite)",
        ),
        (
            put("prompts.0.text", ""),
            "regions/kloe_bank.yaml: bad value at prompts[0] (ofsted-what-do-you-know).text: "
            "String should have at least 1 character",
        ),
    ],
)
def test_a_broken_bank_is_refused(tmp_path: Path, change: object, problem: str) -> None:
    root = _copy(tmp_path)
    edit(root, KLOE_BANK_FILE, change)  # type: ignore[arg-type]
    with pytest.raises(ReferenceDataError) as info:
        load_kloe_bank(root, REGIONS)
    assert str(info.value) == problem


def test_a_missing_bank_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError) as info:
        load_kloe_bank(tmp_path, REGIONS)
    assert str(info.value) == "regions/kloe_bank.yaml: file not found"
