"""The Evolution tab's core: black-box queries, encodings, GA, MAP-Elites, and the ``evolve`` CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from cli.run import run
from core import evolution as ev
from core import imaging, models
from core.errors import UserError
from core.jobs import CancelToken, run_to_end


@pytest.fixture(scope="module")
def mnist():
    return models.load_classifier("mnist_cnn", "cpu")


def test_mnist_cnn_is_accurate(mnist):
    from core.data import mnist_sample

    d = mnist_sample()
    x = torch.from_numpy(d.x_val.astype(np.float32) / 255)[:, None]
    probs = mnist.probabilities(x, batch_size=500)
    assert float((probs.argmax(1).numpy() == d.y_val).mean()) >= 0.98


class _Spy(torch.nn.Module):
    """Wraps a classifier and records the autograd state of every forward pass."""

    def __init__(self, clf):
        super().__init__()
        self.clf = clf
        self.labels, self.channels, self.input_size, self.name = clf.labels, clf.channels, clf.input_size, clf.name
        self.mean = clf.mean
        self.modes: list[tuple[bool, bool]] = []
        self.images = 0

    def forward(self, x):
        self.modes.append((torch.is_inference_mode_enabled(), torch.is_grad_enabled()))
        self.images += len(x)
        assert not x.requires_grad
        return self.clf(x)


@pytest.mark.parametrize("encoding,algorithm", [("direct", "ga"), ("cppn", "map-elites")])
def test_job_never_computes_a_gradient(mnist, monkeypatch, encoding, algorithm):
    def forbidden(*_a, **_k):
        raise AssertionError("a gradient was requested")

    monkeypatch.setattr(torch.autograd, "grad", forbidden)
    monkeypatch.setattr(torch.autograd, "backward", forbidden)
    monkeypatch.setattr(torch.Tensor, "backward", forbidden)
    spy = _Spy(mnist)
    targets = [3] if algorithm == "ga" else list(range(10))
    with torch.enable_grad():  # even when the caller has gradients on, the query must not
        last = run_to_end(ev.evolution_job(spy, targets, ev.EvolutionParams(
            encoding=encoding, algorithm=algorithm, population=12, generations=5, stop_at=None,
            target="3" if algorithm == "ga" else "all")))
    assert spy.modes and all(inf and not grad for inf, grad in spy.modes)
    assert all(p.grad is None for p in mnist.parameters())
    # every image the network saw is counted, and the count is what the frame reports
    assert last.queries == spy.images
    expected = 12 + 5 * (10 if algorithm == "ga" else 12)  # GA keeps its 2 elites unqueried
    assert last.queries == expected


def _run(clf, **kw):
    kw.setdefault("stop_at", None)
    targets = kw.pop("targets", [7])
    if kw.get("algorithm", "map-elites") == "ga":
        kw.setdefault("target", str(targets[0]))
    return list(ev.evolution_job(clf, targets, ev.EvolutionParams(**kw)))


@pytest.mark.parametrize("encoding,algorithm", [("direct", "ga"), ("cppn", "map-elites")])
def test_same_seed_same_run(mnist, encoding, algorithm):
    kw = dict(encoding=encoding, algorithm=algorithm, population=16, generations=8, seed=5,
              targets=[7] if algorithm == "ga" else [1, 4, 7])
    a, b = _run(mnist, **kw), _run(mnist, **kw)
    c = _run(mnist, **{**kw, "seed": 6})
    assert len(a) == len(b) == 9
    for fa, fb in zip(a, b):
        assert np.array_equal(fa.population_mosaic, fb.population_mosaic)
        assert np.array_equal(fa.cell_probs, fb.cell_probs)
        assert np.array_equal(fa.history_best, fb.history_best)
        assert fa.queries == fb.queries
    assert not np.array_equal(a[-1].population_mosaic, c[-1].population_mosaic)


def test_fooling_confidence_rises_ga_direct(mnist):
    frames = _run(mnist, encoding="direct", algorithm="ga", population=24, generations=150, seed=0, targets=[3])
    best = frames[-1].history_best
    assert len(best) == 151
    assert np.all(np.diff(best) >= 0)  # elitism: the best never gets worse
    assert best[0] < 0.01 and best[-1] > 0.9  # from chance to near-certainty
    last = frames[-1]
    assert last.done and last.best_target == 3
    # the large "best" image really is classified as the target at the reported confidence
    probs = mnist.probabilities(torch.from_numpy(last.best_image.astype(np.float32) / 255)[None, None])[0]
    assert abs(float(probs[3]) - last.best_prob) < 1e-4


def test_map_elites_cppn_fools_every_digit(mnist):
    last = run_to_end(ev.evolution_job(mnist, range(10), ev.EvolutionParams(
        encoding="cppn", algorithm="map-elites", population=50, generations=400, stop_at=0.99, seed=1)))
    assert last.reached and "every target" in last.stop_reason
    assert (last.cell_probs >= 0.99).all()
    assert all(img is not None and img.shape == (28, 28) for img in last.cell_images)
    assert list(last.cell_top5[:, 0]) == list(range(10))  # each elite's top-1 is its own digit
    assert last.history_mean[-1] > last.history_mean[0]


def test_query_budget_and_cancel(mnist):
    last = run_to_end(ev.evolution_job(mnist, range(10), ev.EvolutionParams(
        encoding="direct", algorithm="map-elites", population=30, generations=1000, max_queries=100, stop_at=None)))
    assert last.queries == 100 and "budget" in last.stop_reason
    token = CancelToken()
    frames = []
    for f in ev.evolution_job(mnist, [0], ev.EvolutionParams(population=8, generations=1000, stop_at=None),
                              cancel=token):
        frames.append(f)
        if f.generation == 3:
            token.cancel()
    assert frames[-1].done and frames[-1].stop_reason == "stopped" and frames[-1].generation == 4


def test_cppn_renders_at_any_resolution_and_mutates_structure():
    enc = ev.CppnEncoding(3, (64, 64))
    rng = np.random.default_rng(0)
    g = enc.random(rng, 1)[0]
    small, big = enc.render(g, (64, 64)), enc.render(g, (256, 256))
    assert small.shape == (3, 64, 64) and big.shape == (3, 256, 256)
    pooled = big.reshape(3, 64, 4, 64, 4).mean(axis=(2, 4))
    assert float(np.abs(pooled - small).mean()) < 0.05  # the same picture, only sharper
    sizes = set()
    for _ in range(300):
        g = enc.mutate(g, rng)
        sizes.add(len(g.hidden()))
        for (a, b) in g.conns:  # feed-forward: every edge runs to a later node
            assert g.nodes[a][0] < g.nodes[b][0]
    assert len(sizes) > 3  # nodes were added and removed
    child = enc.crossover(g, enc.random(rng, 1)[0], rng)
    assert set(child.conns) == set(g.conns)


def test_direct_mutation_rate():
    enc = ev.DirectEncoding(1, (28, 28), rate=0.1)
    rng = np.random.default_rng(0)
    g = enc.random(rng, 1)[0]
    child = enc.mutate(g, rng)
    changed = float((child != g).mean())
    assert 0.03 < changed <= 0.12 and child.min() >= 0 and child.max() <= 1
    gauss = ev.DirectEncoding(1, (28, 28), rate=0.5, operator="gaussian")
    assert 0.3 < float((gauss.mutate(g, rng) != g).mean()) < 0.6


def test_bad_parameters_are_user_errors(mnist):
    with pytest.raises(UserError, match="one target"):
        run_to_end(ev.evolution_job(mnist, [1, 2], ev.EvolutionParams(algorithm="ga")))
    with pytest.raises(UserError, match="between 0 and 9"):
        run_to_end(ev.evolution_job(mnist, [12], ev.EvolutionParams(algorithm="map-elites")))
    with pytest.raises(UserError, match="elite"):
        ev.EvolutionParams(algorithm="ga", target="3", population=4, elite=4).validated()
    with pytest.raises(UserError, match="one target"):
        ev.EvolutionParams(algorithm="ga").validated()  # "all" is many targets


def test_imagenet_model_at_its_input_size():
    clf = models.load_classifier("efficientnet_lite0", "cpu")
    last = run_to_end(ev.evolution_job(clf, [1, 2], ev.EvolutionParams(
        encoding="cppn", algorithm="map-elites", population=3, generations=1, stop_at=None)))
    assert last.queries == 6
    assert last.cell_images[0].shape == (224, 224, 3)
    assert last.population_mosaic.ndim == 3 and last.population_mosaic.shape[2] == 3


def test_cli_evolve_writes_pngs_and_json(tmp_path, capsys, mnist):
    rc = run(["evolve", "--model", "mnist_cnn", "--encoding", "cppn", "--algorithm", "map-elites",
              "--target", "1,7", "--stop-at", "0.999", "--generations", "300", "--seed", "2",
              "--out", str(tmp_path / "out"), "--json"])
    assert rc == 0
    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert [t["index"] for t in result["targets"]] == [1, 7]
    assert result["reached"] and result["queries"] > 0 and result["generations"] >= 1
    for t in result["targets"]:
        assert t["best_prob"] >= 0.999 and t["queries"] <= result["queries"]
        img = imaging.load_image(t["png"])[:, :, 0]  # PNGs are what was scored, to the last bit
        p = mnist.probabilities(torch.from_numpy(img.astype(np.float32) / 255)[None, None])[0]
        assert abs(float(p[t["index"]]) - t["best_prob"]) < 1e-4
    assert (tmp_path / "out" / "grid.png").is_file()
    assert result["median_best_prob"] == pytest.approx(np.median([t["best_prob"] for t in result["targets"]]))


@pytest.mark.parametrize("argv,needle", [
    (["evolve", "--target", "12"], "out of range"),
    (["evolve", "--algorithm", "ga", "--target", "all"], "one target"),
    (["evolve", "--encoding", "pixels"], "not one of direct, cppn"),
    (["evolve", "--model", "nope"], "unknown model"),
])
def test_cli_errors_exit_2(capsys, argv, needle):
    assert run(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and needle in err[0]


def test_population_default_per_algorithm_and_params_round_trip():
    assert ev.EvolutionParams(algorithm="ga", target="3").validated().population_size == 24
    assert ev.EvolutionParams().validated().population_size == 50
    p = ev.EvolutionParams(focus=0.5, population=64, max_queries=1000)
    back, problems = ev.EvolutionParams.from_dict(p.to_dict())
    assert back == p and not problems


class _Canceller(torch.nn.Module):
    """A classifier that presses Stop after ``after`` forward passes, counting every image."""

    def __init__(self, clf, token, after):
        super().__init__()
        self.clf, self.token, self.after = clf, token, after
        self.labels, self.channels, self.input_size, self.name = clf.labels, clf.channels, clf.input_size, clf.name
        self.mean = clf.mean
        self.calls = self.images = 0

    def forward(self, x):
        self.calls += 1
        self.images += len(x)
        if self.calls == self.after:
            self.token.cancel()
        return self.clf(x)


def test_stop_takes_effect_between_batches_of_a_long_generation(mnist):
    token = CancelToken()
    spy = _Canceller(mnist, token, after=3)
    frames = list(ev.evolution_job(spy, range(10), ev.EvolutionParams(population=1000, batch_size=10, stop_at=None),
                                   cancel=token))
    last = frames[-1]
    # Stop came during generation 0 (1,000 images): the job ended after the batch in flight
    assert len(frames) == 1 and last.done and last.stop_reason == "stopped"
    assert last.queries == spy.images == 30  # every image the network saw is counted, no more
    assert (last.cell_probs > 0).all()  # and what was queried reached the archive


def test_run_ends_when_enough_classes_reach_the_goal(mnist):
    last = run_to_end(ev.evolution_job(mnist, range(10), ev.EvolutionParams(
        encoding="cppn", stop_at=0.9, goal_classes=3, seed=0, generations=500)))
    assert last.reached and last.at_goal >= 3 and last.goal_count == 3
    assert "3 classes reached 90%" in last.stop_reason  # the goal as it was set
    assert int((last.cell_probs >= 0.9).sum()) == last.at_goal


def test_many_classes_show_the_best_cells_sorted(mnist, monkeypatch):
    from core.evolution import job

    monkeypatch.setattr(job, "MAX_SHOWN_CELLS", 4)
    last = run_to_end(ev.evolution_job(mnist, range(10), ev.EvolutionParams(
        population=20, generations=3, stop_at=None, seed=3)))
    assert last.cell_sorted and len(last.cell_shown) == 4
    shown = last.cell_probs[list(last.cell_shown)]
    assert np.all(np.diff(shown) <= 0) and shown[0] == last.cell_probs.max()
    assert last.cell_mosaic.shape[:2] == ev.tile([None] * 4, last.cell_cols, (28, 28)).shape[:2]


def test_focused_children_climb_the_most_promising_classes_and_zero_is_the_papers_choice(mnist):
    from core.evolution.search import FOCUS_WIDTH, OVERLAY_FROM, SEARCH_MIN, MapElites

    seen = []
    original = MapElites.ask

    def ask(self, rng, n, archive):
        children = original(self, rng, n, archive)
        seen.append((list(self._origins), archive.fit.copy(), list(self.focus_cells(archive))))
        return children

    MapElites.ask = ask
    try:
        for focus in (0.0, 0.8):
            seen.clear()
            run_to_end(ev.evolution_job(mnist, range(10), ev.EvolutionParams(
                encoding="cppn", focus=focus, population=20, generations=6, stop_at=0.9999, seed=0)))
            for origins, fit, focus_cells in seen:
                if focus == 0.0:
                    assert all(o == -1 for o in origins)  # every parent drawn uniformly (the paper)
                    continue
                # 80 % of 20, first (an overlay step takes an odd number: a child or so may explore)
                focused = [o for o in origins if o != -1]
                assert focused == origins[: len(focused)] and 16 - FOCUS_WIDTH <= len(focused) <= 16
                assert all(o in focus_cells for o in focused)
                # Ten named targets: breadth first, the most promising below OVERLAY_FROM before the
                # ones above it, each below the goal.
                below = [c for c in np.argsort(-fit, kind="stable") if SEARCH_MIN <= fit[c] < 0.9999]
                below = sorted(below, key=lambda c: fit[c] >= OVERLAY_FROM)[:FOCUS_WIDTH]
                assert sorted(focus_cells) == sorted(below)
    finally:
        MapElites.ask = original


def test_cli_ctrl_c_saves_the_elites_and_exits_130(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "elites"
    proc = subprocess.Popen(
        [sys.executable, str(root / "main.py"), "evolve", "--model", "mnist_cnn", "--population", "1000",
         "--stop-at", "never", "--generations", "100000", "--out", str(out), "--json"],
        cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONPATH": str(root)})
    try:
        line = ""
        while "generation" not in line or "queries" not in line:  # the first generation is done
            line = proc.stderr.readline()
            assert line, "evolve ended before the first generation"
        proc.send_signal(signal.SIGINT)
        t0 = time.monotonic()
        stdout, stderr = proc.communicate(timeout=60)
        waited = time.monotonic() - t0
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr and waited < 30
    result = json.loads(stdout.strip().splitlines()[-1])
    assert result["interrupted"] and result["stop_reason"] == "stopped"
    pngs = sorted(out.glob("00*.png"))
    assert len(pngs) == 10 and (out / "grid.png").is_file()



@pytest.mark.parametrize("overlay", [False, True])
def test_a_focused_class_that_only_creeps_steps_aside_until_others_lift_it(overlay):
    from core.evolution import overlay as overlay_module
    from core.evolution import search

    enc = ev.make_encoding("cppn", 1, (28, 28))
    rng = np.random.default_rng(0)
    archive = search.Archive(range(2))
    for c, g in enumerate(enc.random(rng, 2)):
        archive.genome[c], archive.image[c] = g, ev.to_u8(enc.render(g))
    archive.fit[:] = [0.96, 0.90]  # with the overlay, both are climbed by it; else by mutation
    me = search.MapElites(ev.EvolutionParams(focus=1.0, population=10, stop_at=0.99, overlay=overlay), enc, archive)
    assert sorted(me.focus_cells(archive)) == [0, 1]
    no_gain = np.full((10, 2), 0.001)
    windows = 0
    for gen in range(4 * search.STALL_WINDOW // 5):  # five focused children per class a generation
        children = me.ask(rng, 10, archive)
        archive.fit[0] += 1e-5  # class 0 creeps: far less than STALL_GAIN per window
        archive.fit[1] = 1 / (1 + np.exp(-(search.log_odds(archive.fit[1]) + 0.03)))  # class 1 climbs
        me.tell(children, np.zeros((10, 1, 28, 28), np.float32), no_gain, archive, np.zeros(0, np.int64))
        if np.isfinite(me.stalled_at[0]):
            windows = (gen + 1) * 5 // search.STALL_WINDOW
            break
    # Mutation steps aside after one window; an overlay climb first halves its move twice.
    assert windows == (3 if overlay else 1)
    if overlay:
        assert me.climbs[0].move == pytest.approx(overlay_module.SHRINK_FLOOR * overlay_module.TOP_JUMP)
    assert list(me.focus_cells(archive)) == [1]
    stalled = me.stalled_at[0]
    assert np.isfinite(stalled) and np.isnan(me.stalled_at[1])
    archive.fit[0] = 1 / (1 + np.exp(-(stalled + search.REVIVE_GAIN / 2)))  # lifted, but not enough
    assert 0 not in me.focus_cells(archive)
    archive.fit[0] = 1 / (1 + np.exp(-(stalled + search.REVIVE_GAIN * 1.1)))  # lifted by other children
    assert 0 in me.focus_cells(archive)


def test_thumbnail_is_the_block_mean():
    rng = np.random.default_rng(3)
    for shape in ((224, 224, 3), (28, 28)):
        img = rng.integers(0, 256, shape, dtype=np.uint8)
        f = shape[0] // 2 if shape[0] == 28 else 4
        small = ev.thumbnail(img, shape[0] // f)
        mean = img.reshape(shape[0] // f, f, shape[1] // f, f, *shape[2:]).mean(axis=(1, 3))
        assert small.dtype == np.uint8 and small.shape == mean.shape
        assert np.abs(small - mean).max() <= 0.5 + 1e-9  # the mean, rounded
    assert ev.thumbnail(img, 100) is img  # never enlarged
