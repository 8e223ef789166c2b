"""Autoencoder core: loss, preprocessing, training job, detector, latent view, data sources, CLI."""

from __future__ import annotations

import gzip
import json
import struct
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from core import autoencoders as ae
from core import data
from core.errors import UserError
from core.jobs import CancelToken

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def digits():
    return data.mnist_sample()


@pytest.fixture(scope="module")
def shipped():
    return ae.load_default()


# ------------------------------------------------------------------------------- the loss
def test_bce_per_pixel_matches_the_formula():
    target = torch.tensor([[0.0, 1.0, 0.25, 0.9]]).reshape(1, 1, 2, 2)
    p = torch.tensor([[0.1, 0.8, 0.5, 0.9]]).reshape(1, 1, 2, 2)
    logits = torch.log(p / (1 - p))
    expected = -(target * torch.log(p) + (1 - target) * torch.log(1 - p)).mean()
    got = ae.per_image_loss(logits, target, "bce")
    assert got.shape == (1,)
    assert float(got[0]) == pytest.approx(float(expected), rel=1e-5)
    mse = ae.per_image_loss(logits, target, "mse")
    assert float(mse[0]) == pytest.approx(float(((p - target) ** 2).mean()), rel=1e-5)


def test_loss_is_per_image_not_per_batch():
    x = torch.zeros(3, 1, 28, 28)
    x[1] = 1.0
    logits = torch.full((3, 1, 28, 28), -10.0)  # predicts black everywhere
    per = ae.per_image_loss(logits, x)
    assert per[0] < 1e-3 and per[2] < 1e-3 and per[1] > 5  # only the white image is badly rebuilt


def test_shipped_model_reconstructs_digits_in_the_lectures_range(shipped, digits):
    # the lecture: BCE per pixel over validation digits ≈ 0.105 ± 0.036
    assert 0.07 < shipped.mean < 0.13
    assert 0.02 < shipped.std < 0.06
    recon = ae.reconstruct(shipped.model, digits.x_val[:20])
    assert recon.shape == (20, 28, 28) and recon.dtype == np.uint8
    # a reconstruction is closer to its own digit than to the other digits
    d = ((recon[:, None].astype(float) - digits.x_val[None, :20].astype(float)) ** 2).mean((2, 3))
    assert (d.argmin(1) == np.arange(20)).mean() >= 0.9


def _read_back(model, digits, n=500) -> float:
    """How often the digit classifier reads a reconstruction as the digit that went in."""
    recon = ae.reconstruct(model, digits.x_val[:n])
    with torch.no_grad():
        read = ae.digit_classifier()(ae.to_tensor(recon)).argmax(1).numpy()
    return float((read == digits.y_val[:n]).mean())


def test_a_two_number_code_learns_digits_not_the_average_blob(digits):
    # scene 14's network, briefly trained: collapsed it stays at the average digit's loss (≈ 0.258)
    # and every digit comes back as the same blob the classifier reads at chance (≈ 0.1)
    small = data.DigitSet(digits.x_train[:2000], digits.y_train[:2000], digits.x_val[:500],
                          digits.y_val[:500], "test")
    config = ae.AEConfig("deep", 2)
    last = list(ae.train_job(small, config, ae.default_params("deep", 2), frame_interval=1e9))[-1]
    assert last.val_y[0] < 0.3  # untrained, it already rebuilds the average digit (not grey 0.5 everywhere)
    assert last.val_loss < 0.24
    recon = last.strip_recons.reshape(10, -1).astype(float)
    apart = np.abs(recon[:, None] - recon[None]).mean(-1)[~np.eye(10, dtype=bool)]
    assert apart.mean() > 12  # out of 255: the ten digits come back different
    assert _read_back(last.result.model, small) > 0.25


@pytest.mark.parametrize("config, read", [(ae.AEConfig("dense", 2), 0.3), (ae.AEConfig("deep", 2), 0.6)])
def test_shipped_two_number_codes_rebuild_readable_digits(config, read, digits):
    # the classifier reads 99.6 % of the originals; a code of 2 numbers keeps much of that
    assert _read_back(ae.load_default(config).model, digits) > read


def test_a_model_that_only_draws_the_average_digit_cannot_judge(digits):
    """Training starts at the average digit, so a model that learned nothing scores that digit's
    loss (≈ 0.266 BCE), not the 0.69 of grey: it must still count as unable to judge, while the
    weakest shipped model (2 numbers, one layer each way) can."""
    x = torch.tensor(digits.x_val, dtype=torch.float32).reshape(len(digits.x_val), -1)
    x = x / 255 if x.max() > 1 else x
    mean = torch.tensor(digits.x_train, dtype=torch.float32).reshape(len(digits.x_train), -1).mean(0)
    mean = (mean / 255 if mean.max() > 1 else mean).clamp(1e-3, 1 - 1e-3)
    bce = float(-(x * mean.log() + (1 - x) * (1 - mean).log()).mean())
    assert 0.25 < bce < 0.28
    weakest = ae.load_default(ae.AEConfig("dense", 2))
    assert weakest.unfit == ""
    nothing = ae.TrainedAE(weakest.model, weakest.config, weakest.val_losses, val_loss=bce, epochs=0)
    assert "did not learn digits" in nothing.unfit


# ----------------------------------------------------------------------- preprocessing
def _draw_digit_photo(dark_on_light: bool, size=(300, 200), box=(60, 90, 140, 250)) -> np.ndarray:
    """A big RGB 'photo' of a thick vertical stroke (a 1) off-centre on a flat background."""
    h, w = size[1], size[0]
    bg, ink = (230, 20) if dark_on_light else (15, 240)
    img = np.full((h, w, 3), bg, np.uint8)
    x0, y0, x1, y1 = box
    img[y0 // 2:y1 // 2 + 20, x0:x0 + 18] = ink
    return img


@pytest.mark.parametrize("dark_on_light", [True, False])
def test_mnist_style_inverts_centres_and_scales(dark_on_light):
    prepared = ae.mnist_style(_draw_digit_photo(dark_on_light))
    img = prepared.image.astype(float)
    assert prepared.image.shape == (28, 28) and prepared.image.dtype == np.uint8
    assert prepared.inverted == dark_on_light
    assert img.max() == 255 and np.median(img) == 0  # white ink on black, like MNIST
    rows = np.flatnonzero(img.max(1) > 25)
    cols = np.flatnonzero(img.max(0) > 25)
    assert 18 <= rows[-1] - rows[0] + 1 <= 21  # the longer side scaled to 20 pixels
    cy = (img.sum(1) * np.arange(28)).sum() / img.sum()
    cx = (img.sum(0) * np.arange(28)).sum() / img.sum()
    assert abs(cy - 13.5) < 1.0 and abs(cx - 13.5) < 1.0  # centre of mass in the middle


def test_noise_is_not_mistaken_for_dark_ink_on_paper():
    noise = np.random.default_rng(4).integers(0, 256, (28, 28), dtype=np.uint8)
    prepared = ae.mnist_style(noise)
    assert not prepared.inverted and np.array_equal(prepared.image, noise)


def test_mnist_style_keeps_28x28_digits_pixel_for_pixel(digits):
    d = digits.x_val[3]
    assert np.array_equal(ae.mnist_style(d).image, d)
    rgb = np.repeat((255 - d)[:, :, None], 3, axis=2)  # the same digit printed dark on light
    prepared = ae.mnist_style(rgb)
    assert prepared.inverted and np.array_equal(prepared.image, d)


def test_a_digit_photo_is_judged_ok_after_preprocessing(shipped, digits, tmp_path):
    # a validation digit blown up to 200×200, dark on light, saved as a JPEG-like RGB PNG
    d = digits.x_val[int(np.flatnonzero(digits.y_val == 3)[0])]
    big = Image.fromarray(255 - d).resize((200, 200), Image.BICUBIC).convert("RGB")
    arr = np.asarray(big)
    arr = np.pad(arr, ((40, 40), (40, 40), (0, 0)), constant_values=255)
    prepared = ae.mnist_style(arr)
    assert prepared.inverted
    v = ae.judge(shipped, prepared.image)
    assert not v.liar and v.word == "OK"
    # without the preprocessing (raw shrink, dark on light) the same picture would be a liar
    raw = np.asarray(Image.fromarray(arr).convert("L").resize((28, 28)))
    assert ae.judge(shipped, raw).liar


# ------------------------------------------------------------------------------- training
def test_training_job_learns_and_stops_within_a_batch(digits):
    small = data.DigitSet(digits.x_train[:1500], digits.y_train[:1500], digits.x_val[:300],
                          digits.y_val[:300], "test")
    frames = list(ae.train_job(small, ae.AEConfig("dense", 16), ae.TrainParams(epochs=3), frame_interval=0.0,
                               seed=1))
    last = frames[-1]
    assert last.done and last.result is not None and last.epoch == 3
    # it starts at the average digit (≈ 0.27) and gets better every epoch
    assert len(last.val_y) == 4 and np.all(np.diff(last.val_y) < 0) and last.val_y[-1] < last.val_y[0] - 0.02
    assert last.strip_inputs.shape == (10, 28, 28) and last.strip_recons.shape == (10, 28, 28)
    assert sorted(last.strip_labels) == list(range(10))
    assert np.all(np.isfinite(last.strip_losses)) and last.samples_per_s > 0
    assert len(frames) > 3 and all(not f.done for f in frames[:-1])
    assert len(last.result.val_losses) == 300

    cancel = CancelToken()
    job = ae.train_job(small, ae.AEConfig("dense", 16), ae.TrainParams(epochs=50), frame_interval=0.0,
                       cancel=cancel)
    first = next(job)
    second = next(job)
    cancel.cancel()
    rest = list(job)
    assert rest[-1].done and rest[-1].result is not None
    assert len(rest) == 1  # stopped within one batch: straight to the final frame
    assert rest[-1].step <= second.step + 1 and first.step == 0


def test_denoising_job_shows_noisy_inputs_and_clean_targets(digits):
    small = data.DigitSet(digits.x_train[:600], digits.y_train[:600], digits.x_val[:100],
                          digits.y_val[:100], "test")
    last = list(ae.train_job(small, ae.AEConfig("dense", 16, noise=0.5), ae.TrainParams(epochs=1)))[-1]
    assert not np.array_equal(last.strip_inputs, last.strip_clean)
    assert np.array_equal(last.strip_clean, small.x_val[ae.strip_indices(small.y_val)])
    sp = ae.noisy_images(small.x_val[:5], 0.2, "saltpepper", seed=0)
    changed = (sp != small.x_val[:5]).mean()
    assert 0.03 < changed < 0.2 and set(np.unique(sp[sp != small.x_val[:5]])) <= {0, 255}


@pytest.mark.parametrize("arch", ["deep", "conv"])
def test_other_architectures_train_and_round_trip(arch, digits, tmp_path):
    small = data.DigitSet(digits.x_train[:256], digits.y_train[:256], digits.x_val[:64],
                          digits.y_val[:64], "test")
    last = list(ae.train_job(small, ae.AEConfig(arch, 8, loss="mse"), ae.TrainParams(epochs=1)))[-1]
    path = last.result.save(tmp_path / "w.pt")
    back = ae.TrainedAE.load(path)
    assert back.config == ae.AEConfig(arch, 8, loss="mse")
    assert np.allclose(ae.losses(back.model, small.x_val[:8]), ae.losses(last.result.model, small.x_val[:8]),
                       atol=1e-6)


def test_bad_settings_and_files_are_user_errors(tmp_path):
    with pytest.raises(UserError):
        ae.AEConfig("lstm").validated()
    with pytest.raises(UserError):
        ae.AEConfig(latent=0).validated()
    with pytest.raises(UserError):
        ae.AEConfig(noise=2).validated()
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(UserError, match="bad.pt"):
        ae.TrainedAE.load(bad)
    torch.save({"hello": torch.zeros(1)}, tmp_path / "other.pt")
    with pytest.raises(UserError, match="not a Fooling Lab autoencoder"):
        ae.TrainedAE.load(tmp_path / "other.pt")


# ------------------------------------------------------------------------------- detector
def test_roc_and_auroc():
    assert ae.auroc([0.1, 0.2, 0.3], [0.4, 0.5]) == 1.0
    assert ae.auroc([0.4, 0.5], [0.1, 0.2, 0.3]) == 0.0
    assert ae.auroc([0.1, 0.2], [0.1, 0.2]) == pytest.approx(0.5)
    fpr, tpr = ae.roc_curve([0.1, 0.3], [0.2, 0.4])
    assert fpr[0] == 0 and tpr[0] == 0 and fpr[-1] == 1 and tpr[-1] == 1
    assert ae.auroc([0.1, 0.3], [0.2, 0.4]) == pytest.approx(0.75)


def test_detector_flags_noise_and_fooling_images_and_passes_digits(shipped, digits):
    off = ae.off_manifold_set(digits, ("noise", "blobs", "shifted", "rotated", "fooling"), n=40, seed=3)
    assert all(v.shape == (40, 28, 28) and v.dtype == np.uint8 for v in off.values())
    report = ae.evaluate_detector(shipped, off, k=3)
    assert report.aurocs["noise"] >= 0.98 and report.aurocs["fooling"] >= 0.98
    assert report.flagged["noise"] == 1.0 and report.flagged["fooling"] >= 0.9
    assert report.false_alarms < 0.05  # k = 3 flags few real digits
    assert report.aurocs["shifted"] > 0.8
    v_digit = ae.judge(shipped, digits.x_val[0])
    v_noise = ae.judge(shipped, off["noise"][0])
    v_fool = ae.judge(shipped, off["fooling"][0])
    assert (v_digit.word, v_noise.word, v_fool.word) == ("OK", "LIAR", "LIAR")
    assert v_fool.text.endswith("LIAR!") and v_digit.text.startswith("loss = ")
    # k is honoured: a huge k never flags, a very negative one flags everything
    assert not ae.judge(shipped, off["noise"][0], k=1e6).liar
    assert ae.judge(shipped, digits.x_val[0], k=-100).liar


def test_fooling_images_fool_the_classifier(digits):
    imgs, targets, conf = ae.fooling_images(10, seed=0)
    assert imgs.shape == (10, 28, 28) and list(targets) == list(range(10))
    assert np.median(conf) > 0.9


# ------------------------------------------------------------------------------- latent
def test_latent_map_and_interpolation(shipped, digits):
    codes = ae.encode(shipped.model, digits.x_val[:200])
    assert codes.shape == (200, shipped.config.latent)
    m = ae.latent_map(codes)
    assert m.points.shape == (200, 2) and 0 < m.explained <= 1 and not m.exact
    code = m.to_code(m.points[5])
    assert code.shape == (1, shipped.config.latent)
    path = ae.interpolate(shipped.model, codes[0], codes[1], steps=8)
    assert path.shape == (8, 28, 28)
    assert np.array_equal(path[0], ae.decode(shipped.model, codes[:1])[0])
    m2 = ae.latent_map(np.random.default_rng(0).normal(size=(50, 2)))
    assert m2.exact and np.allclose(m2.to_code(m2.points[3])[0], m2.codes[3], atol=1e-5)


# ---------------------------------------------------------------------------------- data
def _write_idx(path: Path, arr: np.ndarray, gz: bool) -> None:
    header = struct.pack(">BBBB", 0, 0, 0x08, arr.ndim) + struct.pack(f">{arr.ndim}I", *arr.shape)
    payload = header + arr.astype(np.uint8).tobytes()
    if gz:
        with gzip.open(str(path) + ".gz", "wb") as fh:
            fh.write(payload)
    else:
        path.write_bytes(payload)


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_reads_back_what_was_written(tmp_path, digits, gz):
    _write_idx(tmp_path / "train-images-idx3-ubyte", digits.x_train[:70], gz)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", digits.y_train[:70], gz)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", digits.x_val[:30], gz)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte", digits.y_val[:30], gz)
    d = data.load_idx_folder(tmp_path)
    assert np.array_equal(d.x_train, digits.x_train[:70]) and np.array_equal(d.y_val, digits.y_val[:30])
    assert data.load_digits(str(tmp_path)).x_val.shape == (30, 28, 28)


def test_idx_errors_are_plain_sentences(tmp_path, digits):
    with pytest.raises(UserError, match="no MNIST IDX files"):
        data.load_idx_folder(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03" + struct.pack(">3I", 10, 28, 28) + b"x" * 100)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", digits.y_train[:10], False)
    with pytest.raises(UserError, match="truncated"):
        data.load_idx_folder(tmp_path)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(UserError, match="not an IDX file"):
        data.load_idx_folder(tmp_path)


def test_full_mnist_offline_gives_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("FOOLING_LAB_CACHE", str(tmp_path))
    with pytest.raises(UserError, match="download mnist"):
        data.mnist_full()
    # an unreachable mirror: one sentence, and no half-written file left behind
    job = data.download_mnist_job(mirrors=["http://127.0.0.1:9/"], timeout=2)
    with pytest.raises(UserError, match="online"):
        list(job)
    assert not list((tmp_path / "datasets" / "MNIST" / "raw").glob("*.part"))


def test_full_mnist_download_checks_md5_and_falls_back_to_the_next_mirror(tmp_path, monkeypatch, digits):
    """A mirror that serves damaged files is skipped; the good one's files land and are read."""
    import hashlib
    import http.server
    import threading

    monkeypatch.setenv("FOOLING_LAB_CACHE", str(tmp_path / "cache"))
    served = tmp_path / "served"
    served.mkdir()
    arrays = {"x_train": digits.x_train[:60], "y_train": digits.y_train[:60],
              "x_val": digits.x_val[:20], "y_val": digits.y_val[:20]}
    files = []
    for key, stem in data.IDX_NAMES.items():
        _write_idx(served / stem, arrays[key], gz=True)
        gz = served / f"{stem}.gz"
        files.append((gz.name, hashlib.md5(gz.read_bytes()).hexdigest()))
    monkeypatch.setattr(data, "_mnist_files", lambda: files)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *a, **k):
            super().__init__(*a, directory=str(served), **k)

        def do_GET(self):  # noqa: N802
            if self.path.startswith("/bad/"):
                body = b"not the file you asked for"
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            self.path = self.path.removeprefix("/good")
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        frames = list(data.download_mnist_job(mirrors=[f"{base}/bad/", f"{base}/good/"], timeout=5))
    finally:
        server.shutdown()
    assert frames[-1].done and "60 training" in frames[-1].message
    raw = tmp_path / "cache" / "datasets" / "MNIST" / "raw"
    assert not list(raw.glob("*.part"))
    full = data.mnist_full()
    np.testing.assert_array_equal(full.x_train, arrays["x_train"])
    np.testing.assert_array_equal(full.y_val, arrays["y_val"])


# ----------------------------------------------------------------------------------- CLI
def _cli(capsys, *args):
    """Run a CLI command in-process (as main.py does) and return (status, stdout, stderr)."""
    from cli.run import run

    capsys.readouterr()
    code = run(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_train_and_score(tmp_path, digits, capsys):
    out = tmp_path / "w.pt"
    code, stdout, stderr = _cli(capsys, "autoencoder", "train", "--arch", "dense", "--latent", "8",
                                "--epochs", "1", "--out", str(out), "--json")
    assert code == 0, stderr
    summary = json.loads(stdout.strip().splitlines()[-1])
    assert summary["epochs"] == 1 and summary["weights"] == str(out) and out.is_file()
    assert 0 < summary["val_loss"] < 0.5 and summary["seconds"] > 0 and "train_loss" in summary
    assert "epoch    1/1" in stderr

    digit_png = tmp_path / "digit.png"
    Image.fromarray(255 - digits.x_val[0]).resize((112, 112)).save(digit_png)  # dark on light, large
    noise_png = tmp_path / "noise.png"
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)).save(noise_png)
    code, stdout, stderr = _cli(capsys, "autoencoder", "score", str(digit_png), str(noise_png), "--json")
    assert code == 0, stderr
    rows = json.loads(stdout)["images"]
    assert [row["verdict"] for row in rows] == ["OK", "LIAR"]
    assert rows[1]["loss"] > rows[1]["threshold"] > rows[0]["loss"] and rows[1]["z"] > 3
    code, stdout, _ = _cli(capsys, "autoencoder", "score", str(noise_png), "--weights", str(out))
    assert code == 0 and "LIAR!" in stdout and "loss = " in stdout


@pytest.mark.parametrize("args", [
    ("autoencoder", "score", "missing.png"),
    ("autoencoder", "train", "--arch", "rnn"),
    ("autoencoder", "train", "--noise", "3"),
    ("autoencoder", "train", "--data", "/nonexistent-folder"),
    ("autoencoder", "score", str(ROOT / "main.py"), "--weights", str(ROOT / "main.py")),
    ("autoencoder", "score", str(ROOT / "main.py")),
])
def test_cli_errors_exit_2_with_one_line(capsys, args):
    code, _, stderr = _cli(capsys, *args)
    assert code == 2 and stderr.startswith("error:") and len(stderr.strip().splitlines()) == 1
