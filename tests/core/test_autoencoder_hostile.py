"""Broken and crafted weights files and IDX folders: one sentence each, never a traceback; training
that diverges stops and keeps its last good weights; the detector fails closed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core import autoencoders as ae
from core import data
from core.errors import UserError
from tests import autoencoder_corpus as corpus


@pytest.fixture(scope="module")
def weights_corpus(tmp_path_factory):
    return corpus.write_weights_corpus(tmp_path_factory.mktemp("weights"))


@pytest.fixture(scope="module")
def idx_corpus(tmp_path_factory):
    return corpus.write_idx_corpus(tmp_path_factory.mktemp("idx"))


def test_a_good_file_of_the_corpus_loads(tmp_path):
    p = tmp_path / "good.pt"
    torch.save(corpus.good_blob(), p)
    trained = ae.TrainedAE.load(p)
    assert trained.config == ae.AEConfig("dense", 2) and trained.epochs == 3 and not trained.unfit


@pytest.mark.parametrize("name", sorted([*corpus.TORCH_BLOBS, *corpus.RAW_FILES, "a_folder"]))
def test_every_crafted_weights_file_is_one_sentence(weights_corpus, name):
    with pytest.raises(UserError) as info:
        ae.TrainedAE.load(weights_corpus[name])
    text = str(info.value)
    assert text and "\n" not in text and "Traceback" not in text
    assert weights_corpus[name].name[:20] in text  # the sentence names the file


def test_sentences_say_what_is_wrong(weights_corpus):
    def msg(name):
        with pytest.raises(UserError) as info:
            ae.TrainedAE.load(weights_corpus[name])
        return str(info.value)

    assert "“many” is not a whole number" in msg("latent_many")
    assert "decoder.0.bias" in msg("state_missing_layer")
    assert "3×4" in msg("state_wrong_shape") and "2×784" in msg("state_wrong_shape")
    assert "not finite" in msg("state_nan")
    assert "epochs" in msg("epochs_many")
    assert "newer Fooling Lab" in msg("version_future")
    assert "far too big" in msg("huge_file")


def test_safetensors_round_trip(tmp_path, shipped_dense):
    p = shipped_dense.save(tmp_path / "dense.safetensors")
    back = ae.TrainedAE.load(p)
    assert back.config == shipped_dense.config and back.epochs == shipped_dense.epochs
    assert np.allclose(back.val_losses, shipped_dense.val_losses)
    assert back.val_loss == pytest.approx(shipped_dense.val_loss)
    assert set(back.history) == set(shipped_dense.history)
    digits = data.mnist_sample().x_val[:5]
    assert np.array_equal(ae.reconstruct(back.model, digits), ae.reconstruct(shipped_dense.model, digits))
    with open(p, "rb") as fh:  # a safetensors file: an 8-byte header length, then JSON, no pickle
        n = int.from_bytes(fh.read(8), "little")
        assert fh.read(1) == b"{" and n < 100_000


@pytest.fixture(scope="module")
def shipped_dense():
    return ae.load_default()


def test_the_detector_fails_closed_on_a_model_that_learned_nothing(tmp_path, shipped_dense):
    p = tmp_path / "diverged.pt"
    torch.save(corpus.diverged_blob(), p)
    diverged = ae.TrainedAE.load(p)
    assert "3.7e+06" in diverged.unfit
    blank = np.zeros((28, 28), np.uint8)
    v = ae.judge(diverged, blank)
    assert v.liar is None and v.word == "CANNOT JUDGE" and "cannot judge" in v.text and "OK" not in v.text
    with pytest.raises(UserError, match="cannot judge"):
        ae.evaluate_detector(diverged, {"noise": np.zeros((3, 28, 28), np.uint8)})
    # a good model judges the same image
    assert ae.judge(shipped_dense, blank).liar is not None


def test_a_non_finite_loss_cannot_be_judged(shipped_dense):
    broken = ae.TrainedAE(model=shipped_dense.model, config=shipped_dense.config,
                          val_losses=shipped_dense.val_losses, val_loss=shipped_dense.val_loss)
    with torch.no_grad():
        saved = broken.model.decoder[0].bias.clone()
        broken.model.decoder[0].bias.fill_(float("nan"))
    try:
        v = ae.judge(broken, data.mnist_sample().x_val[0])
    finally:
        with torch.no_grad():
            broken.model.decoder[0].bias.copy_(saved)
    assert v.liar is None and "not a finite number" in v.reason and v.text.endswith("cannot judge")


def test_a_diverging_run_stops_with_a_sentence_and_keeps_the_last_good_weights():
    small = data.mnist_sample()
    small = data.DigitSet(small.x_train[:2000], small.y_train[:2000], small.x_val[:300], small.y_val[:300], "small")
    frames = list(ae.train_job(small, ae.AEConfig("dense", 8), ae.TrainParams(epochs=6, batch_size=65536, lr=0.99),
                               frame_interval=0.0))
    last = frames[-1]
    assert last.done and "diverged" in last.failure
    if last.result is not None:  # the weights of the last good epoch, with finite losses
        assert last.result.epochs < 6 and np.isfinite(last.result.val_loss)
        assert not last.result.unfit
        assert "kept the weights of epoch" in last.failure
    else:
        assert "no weights to keep" in last.failure


def test_training_that_explodes_mid_epoch_keeps_the_epoch_before(monkeypatch):
    small = data.mnist_sample()
    small = data.DigitSet(small.x_train[:640], small.y_train[:640], small.x_val[:100], small.y_val[:100], "small")
    calls = {"n": 0}
    real = ae.training.per_image_loss

    def poisoned(logits, target, loss="bce"):
        out = real(logits, target, loss)
        if torch.is_grad_enabled():
            calls["n"] += 1
            if calls["n"] == 50:  # the 10th batch of epoch 3 (20 batches of 32 an epoch)
                return out * float("nan")
        return out

    monkeypatch.setattr(ae.training, "per_image_loss", poisoned)
    last = list(ae.train_job(small, ae.AEConfig("dense", 8), ae.TrainParams(epochs=5, batch_size=32),
                             frame_interval=0.0))[-1]
    assert "diverged in epoch 3" in last.failure and "not a number" in last.failure
    assert last.result is not None and last.result.epochs == 2
    assert np.isfinite(last.result.val_losses).all() and list(last.result.history["val_x"]) == [0, 1, 2]


@pytest.mark.parametrize("name", sorted([*corpus.IDX_FOLDERS, "corrupt_gzip", "truncated_gzip", "not_gzip"]))
def test_every_bad_idx_folder_is_one_sentence(idx_corpus, name):
    with pytest.raises(UserError) as info:
        data.load_idx_folder(idx_corpus[name])
    assert str(info.value) and "\n" not in str(info.value)


def test_idx_sentences_say_what_is_wrong(idx_corpus):
    def msg(name):
        with pytest.raises(UserError) as info:
            data.load_idx_folder(idx_corpus[name])
        return str(info.value)

    assert "far more than a digit data set" in msg("overflowing_dims")
    assert "far more than a digit data set" in msg("huge_claim")
    assert "damaged" in msg("corrupt_gzip") and "damaged" in msg("truncated_gzip")
    assert "float32" in msg("wrong_dtype")
    assert "truncated" in msg("truncated_body")


def test_latent_map_of_non_finite_codes_is_a_sentence():
    with pytest.raises(UserError, match="not finite"):
        ae.latent_map(np.array([[np.nan, 1.0, 2.0], [0.0, 1.0, 2.0]]))
    with pytest.raises(UserError):
        ae.latent_map(np.zeros((0, 4)))
