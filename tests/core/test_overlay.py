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
from core.evolution.overlay import FieldClimb, FieldSearch, Overlaid
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


def test_the_coordinate_search_climbs_a_score_that_it_can_only_query():
    rng = np.random.default_rng(5)
    want = np.zeros((3, overlay.FIELD, overlay.FIELD), np.float32)
    want.flat[rng.choice(want.size, 12, replace=False)] = rng.choice([-1.0, 1.0], 12)
    pattern = F.interpolate(torch.from_numpy(want)[None], size=(48, 48), mode="bilinear", align_corners=False)[0].numpy()

    def log_odds(images):  # a 'class' that wants a few blobs of full colour: −6 at the start
        return 12.0 * ((images - 0.5) * pattern).sum(axis=(1, 2, 3)) / np.abs(pattern).sum() - 6.0

    start = np.full((48, 48, 3), 128, np.uint8)
    for sign in (1, -1):
        climb = FieldSearch("genome", start)
        seen = []
        for _ in range(20):
            scores = log_odds(overlay.render(climb.ask(rng, 9)).numpy())
            seen.append(scores[0])
            climb.tell(sign * scores)
        assert all(k.base == "genome" for k in climb.ask(rng, 1))
        # Every step keeps only moves that helped: the field's score never falls …
        assert sign * np.diff(seen).min() >= 0 and sign * (seen[-1] - seen[0]) > 4.0
    # … and, told the opposite, it climbs the other way (the loop's second round).


def test_the_coordinate_search_climbs_from_under_1_percent_where_the_gradient_estimate_barely_moves():
    """The real network: the best of 40 random patterns for "African chameleon" (0.5 %), climbed
    by each overlay alone with as many queries (16 steps of 19 images)."""
    lite = models.load_classifier("efficientnet_lite0", "cpu")
    box = ev.BlackBox(lite)
    enc = ev.make_encoding("cppn", 3, (224, 224))
    imgs = np.stack([enc.render(g) for g in enc.random(np.random.default_rng(0), 40)])
    c = models.resolve_class(lite.labels, "African chameleon")
    first = box(imgs)[:, c]
    start = ev.to_u8(imgs[int(np.argmax(first))])
    best = {}
    for kind in (FieldSearch, FieldClimb):
        climb, rng, best[kind] = kind(None, start), np.random.default_rng(1), first.max()
        for _ in range(16):
            p = box(overlay.render(climb.ask(rng, 9)).numpy())[:, c]
            best[kind] = max(best[kind], float(p.max()))
            climb.tell(search.log_odds(p))
    assert first.max() < 0.01
    assert best[FieldSearch] > 0.8 and best[FieldSearch] > 3 * best[FieldClimb], best


def test_the_coordinate_search_tries_every_entry_before_any_again_and_moves_only_what_helped():
    rng = np.random.default_rng(6)
    search_ = FieldSearch("g", np.full((8, 8), 128, np.uint8), size=4, jump=2.0)  # grey: 16 entries
    seen = []
    for _ in range(4):  # 4 steps of 4 entries: each of the 16 once
        kids = search_.ask(rng, 4)
        assert len(kids) == FieldSearch.batch(4) == 9 and not kids[0].field.any()
        moved = [np.flatnonzero(k.field - search_.field)[0] for k in kids[1:]]
        assert moved[:4] == moved[4:] and all(kids[1 + i].field.flat[e] == 2.0 for i, e in enumerate(moved[:4]))
        seen += moved[:4]
        search_.tell(np.zeros(9))  # nothing beat the field: it stays
    assert sorted(seen) == list(range(16)) and not search_.field.any()
    kids = search_.ask(rng, 2)
    e = [np.flatnonzero(k.field)[0] for k in kids[1:3]]
    search_.tell(np.array([0.0, 1.0, -1.0, 0.5, 2.0]))  # entry 0 up helped, entry 1 down helped more
    assert search_.field.flat[e[0]] == 2.0 and search_.field.flat[e[1]] == -2.0 and search_.field.sum() == 0.0
    assert not search_.shrink() and search_.move == 2.0  # by default a stalled search steps aside
    for climb, first in ((FieldSearch("g", np.full((8, 8), 128, np.uint8), jump=2.0, floor=0.5), 2.0),
                         (FieldClimb("g", np.full((8, 8), 128, np.uint8)), overlay.STEP)):
        assert climb.shrink() and climb.shrink() and not climb.shrink()
        assert climb.move == pytest.approx(first / 4)  # a quarter of the first move, and no less


@pytest.mark.parametrize("kind", [FieldClimb, FieldSearch])
def test_a_step_cut_short_or_not_a_number_moves_nothing(kind):
    rng = np.random.default_rng(2)
    climb = kind("g", np.full((16, 16, 3), 100, np.uint8))
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


def test_map_elites_climbs_its_focused_classes_with_the_overlay_and_breeds_the_patterns(monkeypatch):
    monkeypatch.setattr(search, "FOCUS_WIDTH", 4)  # two classes above OVERLAY_FROM, two below
    enc = ev.make_encoding("cppn", 1, (28, 28))
    rng = np.random.default_rng(4)
    archive = search.Archive(range(6))
    for c, g in enumerate(enc.random(rng, 6)):
        archive.genome[c], archive.image[c] = g, ev.to_u8(enc.render(g))
    archive.fit[:] = [0.97, 0.95, 0.6, 0.5, 0.0005, 0.999]
    me = search.MapElites(ev.EvolutionParams(population=50, stop_at=0.99), _PlainOnly(enc), archive)
    # 5: at the goal; 4: below SEARCH_MIN. Six named targets: breadth first, the classes below
    # OVERLAY_FROM before those above it.
    assert list(me.focus_cells(archive)) == [2, 3, 0, 1]
    for _ in range(3):
        children = me.ask(rng, 50, archive)
        origins = np.asarray(me._origins)
        assert len(children) == 50
        for c in (0, 1, 2, 3):  # one overlay step each, 4 pairs and the field of the 10 children it gets
            kids = [k for k, o in zip(children, origins) if o == c]
            assert len(kids) == 9 and all(isinstance(k, Overlaid) for k in kids)
            assert kids[0].base is overlay.plain(archive.genome[c])
        # Above OVERLAY_FROM the search moves by TOP_JUMP, below it by JUMP.
        assert [me.climbs[c].move for c in range(4)] == [overlay.TOP_JUMP] * 2 + [overlay.JUMP] * 2
        explored = [k for k, o in zip(children, origins) if o < 0]
        assert len(explored) == 14 and not any(isinstance(k, Overlaid) for k in explored)
        images = torch.cat([overlay.render([k]) if isinstance(k, Overlaid) else torch.from_numpy(enc.render(k))[None]
                            for k in children]).numpy()
        probs = np.full((50, 6), 1e-4)  # no better for any class …
        probs[:, 0] = np.where(origins == 0, 0.98, 1e-4)  # … but class 0's overlay children for it
        improved = archive.offer(children, images, probs, 1, 0)
        me.tell(children, images, probs, archive, improved)
        assert isinstance(archive.genome[0], Overlaid)
        # … and breeding from such an elite breeds its pattern (_PlainOnly would have failed).
    assert all(me.climbs[c].steps == 3 for c in range(4))
    # A class that crosses OVERLAY_FROM goes on from the search's field with the smaller move.
    archive.fit[2], archive.genome[2] = 0.96, me.climbs[2]._children([np.ones_like(me.climbs[2].field)])[0]
    me.ask(rng, 50, archive)
    assert me.climbs[2].move == overlay.TOP_JUMP and me.climbs[2].field.min() == 1.0

    # Among many targets, the classes nearest the goal first, and below MANY_FROM mutation climbs.
    many = search.Archive(range(60))
    many.genome[:6], many.image[:6], many.fit[:6] = archive.genome, archive.image, archive.fit
    many.fit[3] = search.MANY_FROM * 0.6
    me_many = search.MapElites(me.p, _PlainOnly(enc), many)
    assert list(me_many.focus_cells(many)) == [0, 2, 1, 3]
    children = me_many.ask(rng, 50, many)
    origins = np.asarray(me_many._origins)
    assert [sum(isinstance(k, Overlaid) for k, o in zip(children, origins) if o == c) for c in range(4)] == [9, 9, 9, 0]
    assert (origins == 3).sum() == 10 and (origins < 0).sum() == 50 - 27 - 10

    # Without the overlay, the focused classes are climbed by mutating their pattern networks.
    plain_me = search.MapElites(ev.EvolutionParams(population=50, stop_at=0.99, overlay=False), _PlainOnly(enc), archive)
    assert sorted(plain_me.focus_cells(archive)) == [0, 1, 2, 3]
    children = plain_me.ask(rng, 50, archive)
    assert not plain_me.climbs and not any(isinstance(k, Overlaid) for k in children)
    assert (np.asarray(plain_me._origins) >= 0).sum() == 40


def test_with_the_overlay_the_genetic_algorithm_climbs_its_best_once_it_is_high():
    mnist = models.load_classifier("mnist_cnn", "cpu")
    climbed = []
    original = FieldSearch.ask

    def spy(self, rng, pairs=overlay.PAIRS):
        climbed.append(pairs)
        return original(self, rng, pairs)

    FieldSearch.ask = spy
    try:
        last = run_to_end(ev.evolution_job(mnist, [3], ev.EvolutionParams(
            algorithm="ga", target="3", population=24, max_queries=600, stop_at=None, seed=0, engine="torch")))
    finally:
        FieldSearch.ask = original
    assert climbed and set(climbed) == {5}  # half of the 22 children of a generation: 5 pairs and the field
    assert last.cell_probs[0] > 0.999
    assert any(n.endswith("overlay") for n in last.population_notes)


def test_the_overlay_takes_imagenet_elites_to_99_percent():
    """The real network: elites of a short seeded run, each climbed alone with the overlay."""
    lite = models.load_classifier("efficientnet_lite0", "cpu")
    box = ev.BlackBox(lite)
    last = run_to_end(ev.evolution_job(lite, range(1000), ev.EvolutionParams(
        max_queries=2000, stop_at=None, overlay=False, seed=0)))
    cells = [c for c in np.argsort(-last.cell_probs) if 0.9 <= last.cell_probs[c] < 0.99][:3]
    assert len(cells) == 3
    rng = np.random.default_rng(0)
    for c in cells:
        # As the search climbs an elite: the climb follows its best child, with the smaller move
        # once that passes OVERLAY_FROM.
        climb, elite, best = None, "elite", float(last.cell_probs[c])
        for _ in range(30):  # at most 330 queries
            climb = search.overlay_climb(climb, elite, last.cell_images[c], best)
            kids = climb.ask(rng)
            probs = box(overlay.render(kids).numpy())
            j = int(np.argmax(probs[:, c]))
            if probs[j, c] > best:
                elite, best = kids[j], float(probs[j, c])
            if best >= 0.99:
                break
            climb.tell(search.log_odds(probs[:, c]))
        assert best >= 0.99, f"{lite.labels[c]}: {last.cell_probs[c]:.3f} → {best:.3f}"
