"""Many CPPN images in one batched pass (core/evolution/render.py): the images of the one-at-a-time
numpy renderer, and a job that renders on the classifier's device."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core import evolution as ev
from core import models, runtime
from core.evolution import job as job_module
from core.evolution import overlay
from core.evolution.encodings import Cppn, make_encoding
from core.evolution import render as render_module
from core.evolution.render import CppnRenderer


def _evolved(enc, n: int, generations: int, seed: int) -> list:
    """Genomes of mixed sizes, as a run has them: mutated, split, crossed over."""
    rng = np.random.default_rng(seed)
    pop = enc.random(rng, n)
    for _ in range(generations):
        nxt = []
        for _ in range(n):
            a, b = (pop[int(i)] for i in rng.integers(n, size=2))
            nxt.append(enc.mutate(enc.crossover(a, b, rng) if rng.random() < 0.3 else a, rng))
        pop = nxt
    return pop


def _agree(a: np.ndarray, b: np.ndarray) -> None:
    """Float sums in another order: a pixel may land one grey level away, and rarely does."""
    levels = np.abs(a.astype(np.float64) - b) * 255
    assert levels.max() <= 1.0 + 1e-3
    assert (levels > 0.5).mean() < 1e-4


@pytest.mark.parametrize("channels,size,multiscale", [(3, (96, 96), False), (3, (96, 96), True), (1, (28, 28), False)])
def test_batched_render_draws_the_images_of_the_one_at_a_time_renderer(channels, size, multiscale):
    enc = make_encoding("cppn", channels, size, multiscale=multiscale)
    genomes = _evolved(enc, 24, 30, seed=channels)
    sizes = {len(g.nodes) for g in genomes}
    assert len(sizes) > 3  # the batch really pads graphs of several sizes
    one_by_one = np.stack([enc.render(g) for g in genomes])
    batched = CppnRenderer(enc)(genomes)
    assert batched.dtype == torch.float32 and tuple(batched.shape) == one_by_one.shape
    out = batched.numpy()
    assert np.array_equal(out, ev.quantise(out))  # on the 8-bit grid, like what a PNG holds
    _agree(out, one_by_one)
    # Other sizes too (the window's previews), and one genome alone is the same as in a batch.
    _agree(CppnRenderer(enc)(genomes[:3], (40, 60)).numpy(), np.stack([enc.render(g, (40, 60)) for g in genomes[:3]]))
    _agree(CppnRenderer(enc)(genomes[5:6]).numpy(), out[5:6])


def test_a_batch_of_large_graphs_is_rendered_in_parts(monkeypatch):
    enc = make_encoding("cppn", 3, (32, 32))
    genomes = _evolved(enc, 12, 20, seed=4)
    whole = CppnRenderer(enc)(genomes)
    passes = []
    renderer = CppnRenderer(enc)
    original = renderer._render
    monkeypatch.setattr(renderer, "_render", lambda gs, size: passes.append(len(gs)) or original(gs, size))
    monkeypatch.setattr(render_module, "MAX_PASS_BYTES", 5 * 4 * max(len(g.nodes) for g in genomes) * 32 * 32)
    parts = renderer(genomes)
    assert passes == [5, 5, 2] and torch.equal(parts, whole)


def test_batched_render_ignores_what_render_ignores():
    enc = make_encoding("cppn", 1, (16, 16))
    h = 101
    nodes = {i: (0.0, "input") for i in range(enc.n_inputs)} | {enc.outputs[0]: (1.0, "sine"), h: (0.5, "gaussian")}
    # A connection from a node the graph lacks, and one into it, are skipped by both renderers.
    g = Cppn(nodes, {(0, h): 1.5, (h, enc.outputs[0]): 2.0, (999, enc.outputs[0]): 5.0, (1, 998): 1.0})
    _agree(CppnRenderer(enc)([g]).numpy(), enc.render(g)[None])
    assert tuple(CppnRenderer(enc)([]).shape) == (0, 1, 16, 16)


def test_a_job_rendering_on_the_device_runs_the_same_search(monkeypatch):
    """The device path (a GPU in real life; here the batched renderer forced on the CPU): images
    come back as uint8, the archive keeps copies of its own, and the seeded search is the same."""
    mnist = models.load_classifier("mnist_cnn", "cpu")
    params = ev.EvolutionParams(encoding="cppn", algorithm="map-elites", target="all", population=40,
                                max_queries=1200, seed=3, engine="torch")
    plain = list(ev.evolution_job(mnist, None, params))[-1]
    rendered = []

    class Spy(CppnRenderer):
        def __call__(self, genomes, size=None):
            rendered.append(len(genomes))
            return super().__call__(genomes, size)

    overlaid = []
    render_overlays = overlay.render

    def spy_overlays(genomes, device="cpu"):
        overlaid.append(len(genomes))
        return render_overlays(genomes, device)

    monkeypatch.setattr(job_module, "batch_renderer", lambda enc, box: Spy(enc, box.device))
    monkeypatch.setattr(overlay, "render", spy_overlays)
    batched = list(ev.evolution_job(mnist, None, params))[-1]
    # The patterns by the batched renderer, the last mile's overlaid children beside them.
    # (All ten digits may reach the goal before the budget is spent: then both runs stop alike.)
    assert batched.queries == plain.queries == sum(rendered) + sum(overlaid) <= 1200 and sum(overlaid) > 0
    # Renders may differ by one grey level in rare pixels; the run may then part ways a little.
    assert np.abs(batched.cell_probs - plain.cell_probs).max() < 0.05
    assert int((batched.cell_probs >= 0.99).sum()) >= 5
    for img in batched.cell_images:
        assert img.dtype == np.uint8 and img.shape == (28, 28) and img.base is None
    assert batched.population_mosaic.dtype == np.uint8


def test_the_genetic_algorithm_on_the_device_path(monkeypatch):
    mnist = models.load_classifier("mnist_cnn", "cpu")
    monkeypatch.setattr(job_module, "batch_renderer", lambda enc, box: CppnRenderer(enc, box.device))
    params = ev.EvolutionParams(encoding="cppn", algorithm="ga", target="3", max_queries=400, stop_at=None,
                                seed=0, engine="torch")
    last = list(ev.evolution_job(mnist, None, params))[-1]
    assert last.queries == 400 and last.cell_probs[0] > 0.5
    assert all(img.dtype == np.uint8 and img.shape == (28, 28) for img in last.population_images)


def test_the_black_box_takes_a_tensor_on_the_models_device():
    mnist = models.load_classifier("mnist_cnn", "cpu")
    box = ev.BlackBox(mnist, engine="torch")
    imgs = ev.quantise(np.random.default_rng(0).random((5, 1, 28, 28), dtype=np.float32))
    p = box(imgs)
    q = box(torch.from_numpy(imgs))
    assert np.array_equal(p, q) and box.queries == 10
    onnx_box = ev.BlackBox(mnist)
    assert np.abs(onnx_box(torch.from_numpy(imgs)) - p).max() < 1e-5


def test_uint8_images_become_copies_of_their_own():
    batch = np.random.default_rng(0).integers(0, 256, (4, 8, 8, 3), dtype=np.uint8)
    view = batch.transpose(0, 3, 1, 2)[2]  # C×H×W, a view into the generation's array
    out = ev.to_u8(view)
    assert np.array_equal(out, batch[2]) and out.base is None and out.flags.c_contiguous


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_on_a_gpu_the_batched_render_and_the_network_match_the_cpu():
    device = runtime.pick_device("cuda")
    enc = make_encoding("cppn", 3, (224, 224))
    genomes = _evolved(enc, 16, 20, seed=7)
    images = np.stack([enc.render(g) for g in genomes])
    on_gpu = CppnRenderer(enc, device)(genomes)
    _agree(on_gpu.cpu().numpy(), images)
    cpu = ev.BlackBox(models.load_classifier("efficientnet_lite0", "cpu"), engine="torch")
    gpu = ev.BlackBox(models.load_classifier("efficientnet_lite0", device))
    assert gpu.engine.name == "torch"
    assert np.abs(gpu(torch.from_numpy(images).to(device)) - cpu(images)).max() < 1e-5
