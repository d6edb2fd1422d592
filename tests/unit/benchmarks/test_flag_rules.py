"""The signatures-of-risk rules files: the shipped default loads; every broken one names its file."""

from pathlib import Path

import pytest
import yaml

from app.benchmarks.flag_rules import load_all_flag_rules, load_flag_rules, rules_for
from app.reference import PROJECT_ROOT, ReferenceDataError, get_reference

FILE = "regions/flags/strict.yaml"


def test_the_shipped_default_loads_for_every_region() -> None:
    rules = load_all_flag_rules(PROJECT_ROOT)
    assert set(rules) == set(get_reference().regions)
    default = rules_for("east-midlands")
    assert default.worsening_run.periods == 2
    assert default.worst_quartile.enabled and default.late_return.enabled
    agency = default.thresholds_for("sw_agency_rate_fte_pct")
    # Early lines: the averages of authorities that require improvement (seed 002:610).
    assert [(t.side, t.limit) for t in agency] == [("above", 16.4)]
    assert [(t.side, t.limit) for t in default.thresholds_for("sw_vacancy_rate_fte_pct")] == [
        ("above", 16.8)
    ]
    assert [(t.side, t.limit) for t in default.thresholds_for("sw_average_caseload_fte")] == [
        ("above", 17.0)
    ]
    assert all(t.source for t in default.thresholds)
    assert default.missed_signoff.enabled and default.outside_range.enabled


def _load(tmp_path: Path, data: object) -> None:
    folder = tmp_path / "regions" / "flags"
    folder.mkdir(parents=True, exist_ok=True)
    text = data if isinstance(data, str) else yaml.safe_dump(data)
    (folder / "strict.yaml").write_text(text, encoding="utf-8")
    load_flag_rules(tmp_path, "strict", get_reference().indicators)


def test_a_good_file_with_defaults_left_out_loads(tmp_path: Path) -> None:
    _load(
        tmp_path,
        {
            "thresholds": [
                {"indicator": "sw_turnover_rate_fte_pct", "above": 18, "why": "x", "source": "s"}
            ]
        },
    )


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (
            {
                "thresholds": [
                    {"indicator": "no_such_indicator", "above": 3, "why": "x", "source": "s"}
                ]
            },
            "unknown indicator no_such_indicator in thresholds (not in core_indicators.yaml)",
        ),
        (
            {"thresholds": [{"indicator": "sw_turnover_rate_fte_pct", "why": "x", "source": "s"}]},
            "threshold for sw_turnover_rate_fte_pct needs exactly one of above or below",
        ),
        (
            {
                "thresholds": [
                    {
                        "indicator": "sw_turnover_rate_fte_pct",
                        "above": 1,
                        "below": 2,
                        "why": "x",
                        "source": "s",
                    }
                ]
            },
            "needs exactly one of above or below",
        ),
        (
            {
                "thresholds": [
                    {
                        "indicator": "sw_turnover_rate_fte_pct",
                        "above": 150,
                        "why": "x",
                        "source": "s",
                    }
                ]
            },
            "threshold 150 for sw_turnover_rate_fte_pct is outside its valid range 0 to 100",
        ),
        (
            {
                "thresholds": [
                    {
                        "indicator": "sw_turnover_rate_fte_pct",
                        "above": 20,
                        "why": "x",
                        "source": "s",
                    },
                    {
                        "indicator": "sw_turnover_rate_fte_pct",
                        "above": 25,
                        "why": "y",
                        "source": "s",
                    },
                ]
            },
            "two thresholds above for sw_turnover_rate_fte_pct",
        ),
        ({"worsening_run": {"periods": 0}}, "worsening_run.periods"),
        ({"worsening_run": {"periods": "two"}}, "worsening_run.periods"),
        ({"worst_quartile": {"enabled": "yes"}}, "worst_quartile.enabled"),
        (
            {"late_return": {"enabled": True, "after_days": 3}},
            "unknown key after_days in late_return",
        ),
        (
            {"thresholds": [{"indicator": "sw_turnover_rate_fte_pct", "above": 20}]},
            "missing key why",
        ),
        (
            {"thresholds": [{"indicator": "sw_turnover_rate_fte_pct", "above": 20, "why": "x"}]},
            "missing key source",
        ),
        ({"threshold": []}, "unknown key threshold in the top level"),
        ("thresholds: [", "not valid YAML"),
        ("- a list", "expected a mapping of keys at the top level"),
        ("late_return: {enabled: true}\nlate_return: {enabled: false}\n", "written twice"),
    ],
)
def test_every_broken_rule_names_the_file(tmp_path: Path, data: object, problem: str) -> None:
    with pytest.raises(ReferenceDataError) as caught:
        _load(tmp_path, data)
    assert caught.value.path == FILE
    assert str(caught.value).startswith(f"{FILE}: ")
    assert problem in caught.value.problem


def test_a_missing_rules_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ReferenceDataError, match=r"^regions/flags/absent\.yaml: file not found$"):
        load_flag_rules(tmp_path, "absent", get_reference().indicators)


def test_a_region_points_at_its_own_rules_file() -> None:
    region = get_reference().regions["east-midlands"]
    assert region.flag_rules == "default"
    other = region.model_copy(update={"flag_rules": "strict"})
    assert other.flag_rules == "strict"
