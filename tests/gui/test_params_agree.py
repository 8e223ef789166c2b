"""GUI, CLI and dataclass agree on every default, limit and choice (one declaration, derived)."""

from __future__ import annotations

import argparse
import importlib
import pkgutil

import pytest

import core
from cli.common import ArgumentParser, add_params, params_from_args
from core.errors import UserError
from core.params import Params, iter_params_classes


def _all_params_classes() -> list[type[Params]]:
    for mod in pkgutil.walk_packages(core.__path__, "core."):
        importlib.import_module(mod.name)
    return sorted({c for c in iter_params_classes() if c.__module__.startswith("core.")},
                  key=lambda c: c.__qualname__)


CLASSES = _all_params_classes()


def test_the_job_parameters_are_declared_with_params():
    names = {c.__name__ for c in CLASSES}
    assert "AttackParams" in names


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_form_shows_the_dataclass_defaults_limits_and_choices(qtbot, cls):
    from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QSpinBox

    from gui.widgets.param_form import ParamForm

    form = ParamForm(cls)
    qtbot.addWidget(form)
    assert form.params() == cls().validated()
    for info in cls.fields_info():
        if not info.spec.gui:
            continue
        w, s = form.editor(info.name), info.spec
        if s.choices:
            assert isinstance(w, QComboBox)
            assert [w.itemData(i) for i in range(w.count())] == [v for v, _ in s.choices]
        elif info.kind is bool:
            assert isinstance(w, QCheckBox)
        elif info.kind in (int, float):
            assert isinstance(w, (QSpinBox, QDoubleSpinBox))
            step = w.singleStep()
            if s.maximum is not None:
                assert w.maximum() == pytest.approx(s.maximum * s.scale)
            if s.minimum is not None:
                lo = s.minimum * s.scale - (step if s.optional else 0)
                assert w.minimum() >= lo - 1e-9
                assert w.minimum() <= lo + (1 if s.exclusive_minimum else 0) + 1e-9
            if s.optional:
                assert w.specialValueText() == s.none_text


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_cli_options_have_the_dataclass_defaults_and_limits(cls):
    parser = ArgumentParser(prog="t")
    add_params(parser, cls)
    assert params_from_args(cls, parser.parse_args([])) == cls().validated()
    for info in cls.fields_info():
        s = info.spec
        if info.kind in (int, float) and s.maximum is not None:
            too_big = s.maximum * 2 + 1
            with pytest.raises(UserError):
                parser.parse_args([info.option, str(int(too_big) if info.kind is int else too_big)])
        if s.choices:
            with pytest.raises(UserError):
                parser.parse_args([info.option, "no-such-choice"])


def test_settings_keep_good_values_when_one_stored_value_is_bad(settings):
    from core.whitebox import AttackParams
    from gui.settings import load_params, save_params

    save_params(settings, "attack", AttackParams(eps=4.0, steps=120, method="ascent"))
    settings.setValue("attack/steps", "lots")
    settings.setValue("attack/eps", "1e9")
    params, problems = load_params(settings, "attack", AttackParams)
    assert params.method == "ascent" and params.steps == 60 and params.eps == 2.0
    assert len(problems) == 2


def test_form_reports_an_impossible_edit_and_keeps_the_last_valid_params(qtbot):
    from core.whitebox import AttackParams
    from gui.widgets.param_form import ParamForm

    form = ParamForm(AttackParams)
    qtbot.addWidget(form)
    seen: list = []
    form.params_changed.connect(seen.append)
    form.set_value("eps", 8.0)
    assert seen[-1].eps == 8.0
    form.set_value("method", "fgsm")
    assert seen[-1].method == "fgsm"
    assert not form.editor("steps").isVisibleTo(form)  # FGSM takes one step: the row is hidden
    form.set_params(AttackParams(stop_at=None))
    assert form.editor("stop_at").text() == "never" and form.params().stop_at is None


def test_an_unknown_field_name_is_a_programming_error(qtbot):
    from core.whitebox import AttackParams
    from gui.widgets.param_form import ParamForm

    with pytest.raises(KeyError):
        ParamForm(AttackParams, ["eps", "nope"])


def test_argparse_type_error_becomes_one_sentence():
    parser = ArgumentParser(prog="t")
    from core.whitebox import AttackParams

    add_params(parser, AttackParams)
    with pytest.raises(UserError, match="ε must be"):
        parser.parse_args(["--eps", "-3"])
    assert isinstance(parser, argparse.ArgumentParser)
