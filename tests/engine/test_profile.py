"""A profile that does not fit the vocabulary is told which field and what was expected."""

from __future__ import annotations

import json

import jsonschema
import pytest

from huiqi.engine.profile import ProfileError, load_profile, parse_profile
from huiqi.paths import policies_dir
from huiqi.rules.schema import profile_schema, schema_json

EXAMPLES = policies_dir().parent / "examples"


def problems(data) -> list[str]:
    with pytest.raises(ProfileError) as exc:
        parse_profile(data)
    return exc.value.problems


def test_example_profiles_are_valid_and_fit_the_schema():
    schema = profile_schema()
    files = sorted(EXAMPLES.glob("*.json"))
    assert files
    for f in files:
        load_profile(f)
        jsonschema.validate(json.loads(f.read_text("utf-8")), schema)


def test_published_schema_is_the_generated_one():
    published = policies_dir().parent / "docs" / "schema" / "profile.schema.json"
    assert published.read_text("utf-8") == schema_json()


def test_unknown_fact_names_close_matches():
    (p,) = problems({"kind": "enterprise", "years": {"2023": {"rd_expence_fen": 1}}})
    assert p.startswith("years.2023.rd_expence_fen: unknown fact") and "rd_expense_fen" in p


def test_money_must_be_whole_fen_not_float():
    (p,) = problems({"kind": "enterprise", "years": {"2023": {"rd_expense_fen": 1.5}}})
    assert p == "years.2023.rd_expense_fen: expected a whole number of fen (分, integer), found 1.5"


def test_yearly_fact_under_facts_is_refused_with_the_right_place():
    (p,) = problems({"kind": "enterprise", "facts": {"rd_expense_fen": 100}})
    assert "is a yearly fact; put it under years.<year>.rd_expense_fen" in p


def test_fact_of_another_kind_of_entity():
    (p,) = problems({"kind": "talent", "facts": {"industry": "人工智能"}})
    assert "not a fact of a talent" in p


def test_code_outside_its_list():
    (p,) = problems({"kind": "enterprise", "facts": {"industry": "房地产"}})
    assert p.startswith("facts.industry: expected one of 信息技术") and "found '房地产'" in p


def test_event_problems_each_named():
    ps = problems(
        {
            "kind": "enterprise",
            "events": [
                {"type": "enterprise_title", "date": "2023-02-30", "title": "单项冠军", "level": "国家"},
                {"type": "enterprise_title", "date": "2023-02-01", "title": "单项冠军"},
                {"type": "enterprise_titel", "date": "2023-02-01"},
                {
                    "type": "science_award",
                    "date": "2023-02-01",
                    "award": "科技进步奖",
                    "level": "国家",
                    "grade": "一等",
                    "unit_rank": "1",
                    "colour": "red",
                },
            ],
        }
    )
    assert any(p.startswith("events[0].date: expected a date YYYY-MM-DD") for p in ps)
    assert "events[1].level: required for enterprise_title (级别)" in ps
    assert any(
        p.startswith("events[2].type: unknown event type 'enterprise_titel'") and "enterprise_title" in p
        for p in ps
    )
    assert "events[3].unit_rank: expected an integer, found '1'" in ps
    assert any(p.startswith("events[3].colour: science_award has no attribute 'colour'") for p in ps)


def test_a_year_outside_any_period():
    (p,) = problems({"kind": "enterprise", "years": {"20233": {}}})
    assert p == "years.20233: expected a calendar year between 1949 and 2100"


def test_payment_needs_its_keys():
    (p,) = problems({"kind": "enterprise", "payments": [{"item": "002/六/单项冠军", "year": 2023}]})
    assert p == "payments[0].amount_fen: required"


def test_all_problems_reported_at_once_and_nothing_dropped():
    ps = problems(
        {
            "kind": "enterprise",
            "facts": {"industry": "x", "nmae": "y"},
            "years": {"2023": {"employees": -1.0}},
        }
    )
    assert len(ps) == 3


def test_unreadable_file(tmp_path):
    f = tmp_path / "p.json"
    f.write_text("{not json", "utf-8")
    with pytest.raises(ProfileError, match="not valid JSON"):
        load_profile(f)
    with pytest.raises(ProfileError, match="no such file"):
        load_profile(tmp_path / "missing.json")


def test_schema_rejects_what_the_validator_rejects():
    schema = profile_schema()
    bad = {"kind": "enterprise", "years": {"2023": {"rd_expense_fen": 1.5}}}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, schema)


@pytest.mark.parametrize("etype", [{"a": 1}, ["enterprise_title"], 3, None])
def test_an_event_type_that_is_not_a_name_is_a_problem_not_a_crash(etype):
    # Found by schemathesis through the API: an object as "type" used to raise TypeError (unhashable).
    with pytest.raises(ProfileError) as err:
        parse_profile({"kind": "enterprise", "events": [{"type": etype, "date": "2023-01-01"}]}, "t")
    assert "events[0].type" in str(err.value)
