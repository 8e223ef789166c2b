"""The overlay climb (core/evolution/overlay.py): what it draws, that it climbs a score it can only
query, and how the searches use it."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core import evolution as ev
from core import models
from core.evolution import overlay, search
from core.evolution.overlay import FieldClimb, Overlaid
from core.jobs import run_to_end


def _overlaid(image_hwc: np.ndarray, field: np.ndarray) -> Overlaid:
    return Overlaid(None, np.ascontiguousarray(image_hwc.transpose(2, 0, 1)), field.astype(np.float32))


def test_a_zero_overlay_leaves_the_elite_as_it_was_within_its_margin():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (40, 40, 3), dtype=np.uint8)
    out = overlay.render([_overlaid(img, np.zeros((3, overlay.FIELD, overlay.FIELD)))])[0].numpy()
    levels = out * 255
    assert np.allclose(levels, np.round(levels), atol=1e-3)  # on the 8-bit grid
    # Pixels within 2 % of black and white are held there (their log-odds stay finite); all others stay.
    assert np.array_equal(np.round(levels).astype(np.uint8), np.clip(img, 5, 250).transpose(2, 0, 1))


def test_the_overlay_is_a_soft_blur_of_colour_added_in_log_odds():
    img = np.full((64, 64, 3), 128, np.uint8)
    field = np.zeros((3, overlay.FIELD, overlay.FIELD), np.float32)
    field[0, 2, 2] = 3.0  # more red around one cell of the field
    out = overlay.render([_overlaid(img, field)])[0].numpy()
    expected = 1 / (1 + np.exp(-(np.log(128 / 127) + F.interpolate(
        torch.from_numpy(field)[None], size=(64, 64), mode="bilinear", align_corners=False)[0].numpy())))
    assert np.abs(out - expected).max() <= 0.5 / 255 + 1e-6
    assert np.all(out[1:] == out[1, 0, 0]) and out[0].max() > 0.9  # green and blue untouched
    red = out[0]
    assert red[20, 20] > red[40, 40] and np.abs(np.diff(red, axis=1)).max() < 0.2  # smooth, no hard edge


def _score(images: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """A black box that likes one soft colour pattern: the log-odds of a logistic 'class'."""
    return ((images - 0.5) * pattern).sum(axis=(1, 2, 3)) / 200.0


def test_a_climb_can_start_a_field_of_another_size_and_it_still_draws_on_the_whole_image():
    img = np.full((48, 48, 3), 128, np.uint8)
    climb = FieldClimb(None, img, size=16)
    kids = climb.ask(np.random.default_rng(0), 2)
    assert climb.field.shape == (3, 16, 16) and all(k.field.shape == (3, 16, 16) for k in kids)
    out = overlay.render(kids).numpy()
    assert out.shape == (5, 3, 48, 48)
    assert np.array_equal(out[0], overlay.render([_overlaid(img, np.zeros((3, 16, 16)))])[0].numpy())
    assert np.abs(out[1] - out[0]).max() > 1 / 255  # a sampled field changes the image


def test_the_climb_ascends_a_score_that_it_can_only_query():
    rng = np.random.default_rng(1)
    pattern = F.interpolate(torch.randn(1, 3, 4, 4, generator=torch.Generator().manual_seed(0)), size=(48, 48),
                            mode="bilinear", align_corners=False)[0].numpy()
    start = np.full((48, 48, 3), 128, np.uint8)
    levels = {}
    for sign in (1, -1):
        climb = FieldClimb("genome", start)
        seen = []
        for _ in range(25):
            kids = climb.ask(rng, 5)
            scores = _score(overlay.render(kids).numpy(), pattern)
            seen.append(scores[0])  # the field itself, before this step
            climb.tell(sign * scores)
        levels[sign] = seen
        assert all(k.base == "genome" for k in kids)  # the overlay rides on the elite's own genome
    # Random search with as many queries: fields as large as the climb's (RMS 1 to 5 per entry).
    fields = rng.standard_normal((25 * 11, 3, overlay.FIELD, overlay.FIELD)) * np.linspace(1, 5, 25 * 11)[:, None, None, None]
    lucky = _score(overlay.render([_overlaid(start, f) for f in fields]).numpy(), pattern).max()
    climbed = np.asarray(levels[1])
    assert climbed[0] == pytest.approx(0.0, abs=0.01)
    # It climbs nearly every step, well beyond what as many queries found at random …
    assert (np.diff(climbed) > 0).mean() > 0.9 and climbed[-1] > 1.5 * lucky > 0
    assert levels[-1][-1] < -1.5 * lucky  # … and, told the opposite, it climbs the other way.


def test_a_step_cut_short_or_not_a_number_moves_nothing():
    rng = np.random.default_rng(2)
    climb = FieldClimb("g", np.full((16, 16, 3), 100, np.uint8))
    kids = climb.ask(rng, 3)
    assert len(kids) == FieldClimb.batch(3) == 7
    climb.tell(np.arange(4.0))  # a Stop cut the batch after 4 of 7 images
    bad = climb.ask(rng, 3)
    climb.tell(np.array([0.0, 1.0, np.nan, 2.0, 0.0, 0.0, 0.0]))
    assert not climb.field.any() and climb.steps == 0
    climb.tell(np.zeros(7))  # nothing asked since: ignored
    assert climb.steps == 0 and len(bad) == 7


def test_a_climb_follows_its_own_children_and_restarts_from_anyone_elses():
    rng = np.random.default_rng(3)
    elite = "elite"
    climb = FieldClimb(elite, np.zeros((8, 8), np.uint8))  # grey: one channel
    assert climb.field.shape == (1, overlay.FIELD, overlay.FIELD)
    kids = climb.ask(rng, 2)
    assert climb.follows(elite) and all(climb.follows(k) for k in kids)
    assert not climb.follows("another elite")
    other = FieldClimb("x", np.zeros((8, 8), np.uint8))
    assert not climb.follows(other.ask(rng, 1)[0])
    # An elite that carries an overlay is climbed on from its field, over the same image.
    kids[1].field[:] = 0.5
    again = FieldClimb(kids[1], None)
    assert again.image is climb.image and again.field.mean() == pytest.approx(0.5) and again.base == elite
    assert overlay.plain(kids[1]) == elite and overlay.plain(elite) == elite
    assert overlay.describe("3 hidden nodes", kids[0]).endswith(f"+ {overlay.FIELD}×{overlay.FIELD} overlay")


class _PlainOnly:
    """An encoding that refuses an overlaid genome: breeding must go through ``plain``."""

    def __init__(self, enc):
        self.enc = enc

    def __getattr__(self, name):
        attr = getattr(self.enc, name)
        if name not in ("mutate", "crossover", "perturb"):
            return attr

        def checked(*args, **kw):
            assert not any(isinstance(a, Overlaid) for a in args), f"{name} got an overlaid genome"
            return attr(*args, **kw)

        return checked


def test_map_elites_climbs_its_high_classes_with_the_overlay_and_breeds_the_patterns(monkeypatch):
    monkeypatch.setattr(search, "FOCUS_WIDTH", 4)  # two classes above OVERLAY_FROM, two below
    enc = ev.make_encoding("cppn", 1, (28, 28))
    rng = np.random.default_rng(4)
    archive = search.Archive(range(6))
    for c, g in enumerate(enc.random(rng, 6)):
        archive.genome[c], archive.image[c] = g, ev.to_u8(enc.render(g))
    archive.fit[:] = [0.97, 0.95, 0.6, 0.5, 0.001, 0.999]
    me = search.MapElites(ev.EvolutionParams(population=50, stop_at=0.99), _PlainOnly(enc), archive)
    assert list(me.focus_cells(archive)) == [0, 1, 2, 3]  # 5: at the goal; 4: below FOCUS_MIN
    for _ in range(3):
        children = me.ask(rng, 50, archive)
        origins = np.asarray(me._origins)
        assert len(children) == 50
        for c in (0, 1):  # above OVERLAY_FROM: one overlay step each, 4 pairs of the 10 children it gets
            kids = [k for k, o in zip(children, origins) if o == c]
            assert len(kids) == 9 and all(isinstance(k, Overlaid) for k in kids)
            assert kids[0].base is overlay.plain(archive.genome[c])
        mutated = [k for k, o in zip(children, origins) if o in (2, 3)]
        assert len(mutated) == 20 and not any(isinstance(k, Overlaid) for k in mutated)
        images = torch.cat([overlay.render([k]) if isinstance(k, Overlaid) else torch.from_numpy(enc.render(k))[None]
                            for k in children]).numpy()
        probs = np.full((50, 6), 0.01)
        probs[:, 0] = np.where(origins == 0, 0.98, 0.01)  # class 0's overlay children are better for it
        improved = archive.offer(children, images, probs, 1, 0)
        me.tell(children, images, probs, archive, improved)
        assert isinstance(archive.genome[0], Overlaid)
        # … and breeding from such an elite breeds its pattern (_PlainOnly would have failed).
    assert me.climbs[0].steps == 3 and me.climbs[1].steps == 3


def test_with_the_overlay_the_genetic_algorithm_climbs_its_best_once_it_is_high():
    mnist = models.load_classifier("mnist_cnn", "cpu")
    climbed = []
    original = FieldClimb.ask

    def spy(self, rng, pairs=overlay.PAIRS):
        climbed.append(pairs)
        return original(self, rng, pairs)

    FieldClimb.ask = spy
    try:
        last = run_to_end(ev.evolution_job(mnist, [3], ev.EvolutionParams(
            algorithm="ga", target="3", population=24, max_queries=600, stop_at=None, seed=0, engine="torch")))
    finally:
        FieldClimb.ask = original
    assert climbed and set(climbed) == {5}  # half of the 22 children of a generation: 5 pairs and the field
    assert last.cell_probs[0] > 0.999
    assert any(n.endswith("overlay") for n in last.population_notes)


def test_the_overlay_takes_imagenet_elites_to_99_percent():
    """The real network: elites of a short seeded run, each climbed alone with the overlay."""
    lite = models.load_classifier("efficientnet_lite0", "cpu")
    box = ev.BlackBox(lite)
    last = run_to_end(ev.evolution_job(lite, range(1000), ev.EvolutionParams(
        max_queries=1500, stop_at=None, climb="step", seed=0)))
    cells = [c for c in np.argsort(-last.cell_probs) if 0.9 <= last.cell_probs[c] < 0.99][:3]
    assert len(cells) == 3
    rng = np.random.default_rng(0)
    for c in cells:
        climb = FieldClimb(None, last.cell_images[c])
        best = 0.0
        for _ in range(30):  # at most 330 queries
            probs = box(overlay.render(climb.ask(rng)).numpy())
            best = max(best, float(probs[:, c].max()))
            if best >= 0.99:
                break
            climb.tell(search.log_odds(probs[:, c]))
        assert best >= 0.99, f"{lite.labels[c]}: {last.cell_probs[c]:.3f} → {best:.3f}"
