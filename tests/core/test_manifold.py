"""The manifold toy: curves, minimal fooling steps, the tangent/normal split, the sweep, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cli.run import run
from core import manifold as m
from core.errors import UserError
from core.jobs import run_to_end

FAST = m.ToyParams(curve="sine", n_points=120, epochs=150, seed=1)


@pytest.fixture(scope="module")
def toy():
    return run_to_end(m.train_job(FAST))


@pytest.mark.parametrize("kind", m.CURVES)
def test_curve_is_parametrised_by_arc_length(kind):
    c = m.Curve(kind)
    steps = np.linalg.norm(np.diff(c.points, axis=0), axis=1)
    assert np.allclose(steps, c.length / (len(c.points) - 1), rtol=1e-2)
    assert np.allclose(np.linalg.norm(c.tangents, axis=1), 1)
    u = np.linspace(0.1, c.length - 0.1, 7)
    pu, dist = c.project(c.at(u))
    assert np.allclose(pu, u, atol=1e-3) and dist.max() < 1e-6
    assert np.abs(c.points).max() <= 1.0


def test_classes_split_along_the_curve_and_walk_distance():
    u = np.array([0.0, 0.4, 0.6, 1.0])
    y = m.class_along(u, 1.0, segments=2)
    assert list(y) == [0, 0, 1, 1]
    # from 0.0 (yellow) the nearest blue is at 0.6; from 1.0 (blue) the nearest yellow is at 0.4
    assert np.allclose(m.on_manifold_distance(u, y, u, y), [0.6, 0.2, 0.2, 0.6])


def test_training_frames_show_a_probability_map_and_learn(toy):
    frames = list(m.train_job(FAST))
    assert frames[-1].done and not any(f.done for f in frames[:-1])
    assert len(frames) > 3
    last = frames[-1]
    assert last.prob_grid.shape == (m.GRID, m.GRID)
    assert 0 <= last.prob_grid.min() and last.prob_grid.max() <= 1
    assert last.accuracy >= 0.95
    assert last.adv_distance.shape == (FAST.n_points,)
    correct = (last.net.logit(last.data_x) > 0).astype(int) == last.data_y
    ratio = np.where(correct, last.on_manifold / last.adv_distance, -1)
    assert last.biggest_gap == int(np.argmax(ratio)) and ratio[last.biggest_gap] > 2
    worst = last.most_vulnerable
    assert worst >= 0 and last.adv_distance[worst] == pytest.approx(np.nanmin(last.adv_distance[
        (last.net.logit(last.data_x) > 0).astype(int) == last.data_y]))


def test_minimal_perturbation_flips_and_matches_brute_force_grid(toy):
    net = toy.net
    rng = np.random.default_rng(3)
    idx = rng.choice(len(toy.data_x), 12, replace=False)
    x = toy.data_x[idx]
    delta, ok = m.minimal_perturbation(net, x, extra_starts=m.nearest_other(
        x, (net.logit(x) > 0).astype(int), toy.data_x, (net.logit(toy.data_x) > 0).astype(int), 3))
    assert ok.all()
    # every step really changes the answer
    assert np.all(np.sign(net.logit(x)) != np.sign(net.logit(x + delta)))
    # brute force: the nearest cell of a fine grid that the network puts in the other class
    h = 0.004
    c = np.arange(-m.EXTENT, m.EXTENT + h / 2, h)
    xx, yy = np.meshgrid(c, c)
    grid = np.stack([xx.ravel(), yy.ravel()], 1)
    side = net.logit(grid) > 0
    ours = np.linalg.norm(delta, axis=1)
    for xi, di in zip(x, ours):
        mine = net.logit(xi[None])[0] > 0
        brute = np.linalg.norm(grid[side != mine] - xi, axis=1).min()
        assert di <= brute + 1e-6, "a grid point of the other class is closer than the step found"
        assert di >= brute - h, "shorter than the grid allows: the step cannot be right"


def test_linf_perturbation_flips_and_is_no_longer_than_the_l2_one_in_linf(toy):
    net = toy.net
    x = toy.data_x[::10]
    d2, ok2 = m.minimal_perturbation(net, x)
    di, oki = m.minimal_perturbation(net, x, norm="linf")
    assert ok2.all() and oki.all()
    assert np.all(np.sign(net.logit(x)) != np.sign(net.logit(x + di)))
    assert np.all(np.abs(di).max(1) <= np.abs(d2).max(1) * 1.02 + 1e-6)


def test_tangent_normal_split_sums_back():
    rng = np.random.default_rng(0)
    delta = rng.normal(size=(50, 7))
    t = rng.normal(size=(50, 7))
    t /= np.linalg.norm(t, axis=1, keepdims=True)
    d_t, d_n = m.split_tangent_normal(delta, t)
    assert np.allclose(d_t + d_n, delta)
    assert np.allclose((d_n * t).sum(1), 0, atol=1e-12)
    assert np.allclose(np.abs((d_t * t).sum(1)), np.linalg.norm(d_t, axis=1))
    nf = m.normal_fraction(delta, t)
    assert np.allclose(nf, (d_n ** 2).sum(1) / (delta ** 2).sum(1))
    assert np.all((0 <= nf) & (nf <= 1))


def test_clicked_point_analysis(toy):
    curve = m.Curve(FAST.curve)
    data = m.ToyData(x=toy.data_x, y=toy.data_y, u=toy.data_u)
    a = m.analyse_point(toy.net, curve, data, toy.data_x[5])
    assert a.found and a.adv_distance > 0
    assert np.allclose(a.tangent_part + a.normal_part, a.delta)
    assert (a.prob_blue > 0.5) != (toy.net.prob(a.x + a.delta)[0] > 0.5)
    assert a.on_manifold_distance > 0 and a.walk.shape[1] == 2
    # the walk starts at the foot of the point on the curve and ends on a point of the other class
    assert np.allclose(a.walk[0], a.foot, atol=1e-6)
    assert np.isclose(np.linalg.norm(np.diff(a.walk, axis=0), axis=1).sum(), a.on_manifold_distance, rtol=0.02)


def test_bad_parameters_are_user_errors():
    with pytest.raises(UserError):
        list(m.train_job(m.ToyParams(curve="helix")))
    with pytest.raises(UserError):
        list(m.train_job(m.ToyParams(hidden=())))
    with pytest.raises(UserError):
        list(m.dimension_sweep_job(m.SweepParams(dims=(2, 5000))))


def test_dimension_sweep_yields_a_point_per_dimension():
    params = m.SweepParams(dims=(2, 200), n_points=80, epochs=150, hidden=(32, 32))
    frames = list(m.dimension_sweep_job(params))
    assert [len(f.results) for f in frames] == [0, 1, 2]
    assert frames[-1].done
    lo, hi = frames[-1].results
    assert lo.dim == 2 and hi.dim == 200
    for r in (lo, hi):
        assert r.accuracy > 0.9 and 0 < r.mean_adv < r.mean_on_manifold
        assert r.ratio == pytest.approx(r.mean_on_manifold / r.mean_adv)
        assert 0 <= r.normal_fraction <= 1
    # per coordinate the step off the curve shrinks with D far faster than the walk along it
    assert hi.ratio_linf > 1.5 * lo.ratio_linf
    assert hi.flipped_at_eps > lo.flipped_at_eps


def test_cli_prints_json_per_dimension(capsys):
    rc = run(["manifold", "--dims", "2,20", "--points", "60", "--epochs", "100", "--json"])
    assert rc == 0
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [r["dim"] for r in out["results"]] == [2, 20]
    for r in out["results"]:
        assert {"accuracy", "mean_adv", "mean_on_manifold", "ratio", "normal_fraction"} <= set(r)


def test_cli_table_and_bad_input(capsys):
    assert run(["manifold", "--dims", "3", "--points", "40", "--epochs", "60", "--curve", "circle"]) == 0
    out = capsys.readouterr().out
    assert "ratio" in out and "\n    3 " in out and "Walk ÷ step" in out
    assert run(["manifold", "--dims", "1,2"]) == 2
    assert "between 2 and 1000" in capsys.readouterr().err
    assert run(["manifold", "--dims", "two"]) == 2


def _result(dim, ratio, ratio_linf, flipped, normal):
    return m.DimResult(dim=dim, accuracy=1.0, mean_adv=0.3, mean_on_manifold=0.3 * ratio, ratio=ratio,
                       normal_fraction=normal, mean_adv_linf=0.1, mean_on_manifold_linf=0.1 * ratio_linf,
                       ratio_linf=ratio_linf, flipped_at_eps=flipped, seconds=0.1)


def test_sweep_summary_claims_only_what_the_figures_show():
    pct = lambda x: f"{x:.0%}"  # noqa: E731
    times = lambda x: f"{x:.1f}×"  # noqa: E731
    dims = [2, 10, 100, 1000]
    # the share off the curve that a caption once called "more and more": 47 % → 81 % → 59 % → 73 %
    assert m.trend([0.47, 0.81, 0.59, 0.73], dims, pct) == "goes up and down between 47% and 81%"
    assert m.trend([0.03, 0.34, 0.62, 1.0], dims, pct) == "rises from 3% (D = 2) to 100% (D = 1000)"
    assert m.trend([0.9, 0.5, 0.49, 0.2], dims, pct) == "falls from 90% (D = 2) to 20% (D = 1000)"
    # a clear rise with one small dip at the end is "mostly" a rise, and says so
    assert m.trend([3.3, 8.5, 14.4, 12.9], dims, times) == "mostly rises, from 3.3× (D = 2) to 12.9× (D = 1000)"
    assert m.trend([0.5], [2], pct) == "is 50% (D = 2)"
    results = [_result(2, 3.6, 3.3, 0.03, 0.47), _result(10, 4.1, 8.5, 0.18, 0.81),
               _result(100, 3.9, 14.4, 0.79, 0.59), _result(1000, 3.8, 12.9, 1.0, 0.73)]
    summary = m.sweep_summary(results, 0.05)
    assert "straight length goes up and down between 3.6× and 4.1×" in summary
    assert "per coordinate it mostly rises, from 3.3× (D = 2) to 12.9× (D = 1000)" in summary
    assert "fooled by ε = 0.05 per coordinate rises from 3% (D = 2) to 100% (D = 1000)" in summary
    assert "off the curve goes up and down between 47% and 81%" in summary
    frame = m.SweepFrame(step=4, total=4, done=True, params=m.SweepParams(eps=0.05), results=tuple(results))
    assert frame.summary == summary and m.sweep_summary((), 0.05) == ""


def test_sweep_settings_extend_the_toy_settings_declared_once():
    sweep = m.SweepParams(hidden=(16,), epochs=40, dims=(2, 3))
    assert sweep.toy() == m.ToyParams(hidden=(16,), epochs=40)
    again, problems = m.SweepParams.from_dict(sweep.to_dict())
    assert again == sweep and not problems
    with pytest.raises(UserError, match="between 2 and 1000"):
        m.SweepParams(dims=(1,)).validated()
    with pytest.raises(UserError, match="Hidden layers"):
        m.ToyParams(hidden=(32, 0)).validated()


def test_cli_options_come_from_the_settings(capsys):
    rc = run(["manifold", "--dims", "2", "--points", "40", "--epochs", "30", "--hidden", "8", "--json"])
    assert rc == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["results"][0]["dim"] == 2
    assert run(["manifold", "--activation", "sigmoid"]) == 2
    assert "sigmoid" in capsys.readouterr().err
