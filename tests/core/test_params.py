"""Parameters declared once: validation, the JSON form and its error sentences (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from core.errors import UserError
from core.params import Params, param


@dataclass(frozen=True)
class Demo(Params):
    SCHEMA = "demo"

    kind: str = param("a", "Kind", choices=(("a", "Alpha"), ("b", "Beta")))
    count: int = param(10, "Count", minimum=1, maximum=100)
    rate: float | None = param(None, "Rate", minimum=0, exclusive_minimum=True, maximum=1, none_text="auto")
    prob: float = param(0.5, "Probability", scale=100, unit="%", minimum=0, maximum=1)
    on: bool = param(True, "Switch")
    sizes: tuple[int, ...] = param((32, 32), "Sizes", minimum=1, maximum=1024, max_items=4)
    extra: int = param(0, "Extra", minimum=0, maximum=5, applies=lambda p: p.kind == "b")

    def check(self) -> None:
        if self.extra > self.count:
            raise UserError("extra must not exceed count.")


def test_defaults_are_valid_and_round_trip_through_json():
    d = Demo().validated()
    data = d.to_dict()
    assert data["version"] == Demo.VERSION and data["sizes"] == [32, 32]
    again, problems = Demo.from_dict(data)
    assert again == d and problems == []


@pytest.mark.parametrize("changes,words", [
    ({"count": 0}, "Count must be between 1 and 100"),
    ({"count": 2.5}, "whole number"),
    ({"rate": 0.0}, "Rate must be more than 0 and at most 1"),
    ({"rate": float("nan")}, "finite"),
    ({"prob": 1.5}, "between 0 and 100 %"),
    ({"kind": "c"}, "not one of a, b"),
    ({"sizes": ()}, "1 to 4 values"),
    ({"sizes": (0,)}, "Sizes must be between 1 and 1024"),
    ({"extra": 5, "count": 3}, "extra must not exceed count"),
])
def test_every_rule_speaks_one_sentence(changes, words):
    with pytest.raises(UserError, match=words):
        Demo(**changes).validated()


def test_text_values_are_coerced_like_a_settings_file_or_the_command_line():
    d = Demo().replace(count="12", rate="auto", on="false", sizes="8, 16", kind="Beta", prob="0.25")
    assert (d.count, d.rate, d.on, d.sizes, d.kind, d.prob) == (12, None, False, (8, 16), "b", 0.25)


def test_lenient_reading_keeps_good_values_and_reports_bad_ones():
    params, problems = Demo.from_dict({"count": "many", "rate": 0.3, "colour": "red"}, strict=False)
    assert params.count == 10 and params.rate == 0.3
    assert any("colour" in p for p in problems) and any("Count" in p for p in problems)


def test_strict_reading_refuses_bad_values_and_newer_versions():
    with pytest.raises(UserError, match="Count"):
        Demo.from_dict({"count": -1})
    with pytest.raises(UserError, match="version 9"):
        Demo.from_dict({"version": 9})


def test_a_broken_cross_field_rule_falls_back_to_the_base_when_lenient():
    base = Demo(count=50)
    params, problems = Demo.from_dict({"count": 2, "extra": 4}, strict=False, base=base)
    assert params == base and problems


def test_applies_follows_the_other_fields():
    assert not Demo().applies("extra") and Demo(kind="b").applies("extra")
