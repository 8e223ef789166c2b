"""The model zoo: the offline default, availability reasons, user files, downloads."""

import hashlib
import http.server
import os
import threading
from pathlib import Path

import pytest
import torch

from core import model_download, models
from core.errors import ModelUnavailable, UserError


def test_offline_default_is_available_and_classifies_a_cat(chelsea_224):
    clf = models.load_classifier("efficientnet_lite0")
    assert clf.input_size == (224, 224) and clf.num_classes == 1000
    from core.whitebox import classify
    top = classify(clf, chelsea_224)
    assert top[0][1] == "Egyptian cat" and top[0][2] > 0.7
    assert not any(p.requires_grad for p in clf.parameters())


def test_class_search_by_name_and_index():
    labels = models.imagenet_labels()
    assert labels[models.find_classes(labels, "tiger")[0]] == "tiger"
    assert "tiger shark" in [labels[i] for i in models.find_classes(labels, "tiger")]
    assert models.resolve_class(labels, "Tiger Shark") == 3
    assert models.resolve_class(labels, "3") == 3
    with pytest.raises(UserError, match="no class"):
        models.resolve_class(labels, "unicornfish")
    with pytest.raises(UserError, match="out of range"):
        models.resolve_class(labels, 1000)


def test_uncached_torchvision_model_is_listed_unavailable_with_reason(tmp_path, monkeypatch):
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    torch.hub.set_dir(str(tmp_path / "hub"))
    try:
        row = {r["name"]: r for r in models.describe_models()}["inception_v3"]
        assert row["available"] is False and "download inception_v3" in row["reason"]
        with pytest.raises(ModelUnavailable, match="Inception V3"):
            models.load_classifier("inception_v3")
    finally:
        torch.hub.set_dir(os.path.join(torch.hub._get_torch_home(), "hub"))


def test_cached_torchvision_weights_are_used(tmp_path):
    """A checkpoint in the hub cache makes the model available and loadable (random weights here)."""
    torch.hub.set_dir(str(tmp_path / "hub"))
    try:
        spec = models.get_spec("mobilenet_v3_large")
        path = spec.weights()
        path.parent.mkdir(parents=True)
        torch.save(spec.build().state_dict(), path)
        assert models.availability("mobilenet_v3_large")[0]
        clf = models.load_classifier("mobilenet_v3_large")
        assert clf(torch.rand(1, 3, 224, 224)).shape == (1, 1000)
    finally:
        torch.hub.set_dir(os.path.join(torch.hub._get_torch_home(), "hub"))
        models._CACHE.clear()


def test_user_state_dict_and_torchscript_files(tmp_path):
    net = models.MnistCNN()
    sd_path = tmp_path / "digits.pth"
    torch.save(net.state_dict(), sd_path)
    name = models.register_model_file(sd_path)
    clf = models.load_classifier(name)
    assert clf.input_size == (28, 28) and clf.num_classes == 10

    ts_path = tmp_path / "scripted.pt"
    torch.jit.script(net).save(str(ts_path))
    with pytest.raises(UserError, match="TorchScript, which is a program"):
        models.register_model_file(ts_path)  # refused unless trusted
    name = models.register_model_file(ts_path, trust_code=True)
    clf = models.load_classifier(name)
    try:
        x = torch.rand(2, 1, 28, 28)
        # the same numbers as the network run here, computed in the sandbox's own process
        reference = models.Classifier(net, name="ref", input_size=(28, 28), labels=models.MNIST_LABELS,
                                      mean=(0.1307,), std=(0.3081,), channels=1)
        torch.testing.assert_close(clf(x), reference(x))
        # gradients too: the white-box attacks work on a trusted TorchScript model
        xa, xb = x.clone().requires_grad_(True), x.clone().requires_grad_(True)
        with torch.enable_grad():
            (ga,) = torch.autograd.grad(clf(xa)[:, 3].sum(), xa)
            (gb,) = torch.autograd.grad(reference(xb)[:, 3].sum(), xb)
        torch.testing.assert_close(ga, gb)
        assert clf.net.box._proc.pid != os.getpid()
    finally:
        clf.net.box.close()


def test_safetensors_for_listed_architectures_and_wrong_shapes_named(tmp_path):
    from core import model_files

    for name in ("mnist_cnn", "mobilenet_v3_large"):  # data only, recognised by its layer names
        spec = models.get_spec(name)
        state = {k: torch.zeros(v.shape) for k, v in spec.build().state_dict().items()}
        path = model_files.save_safetensors(state, tmp_path / f"{name}.safetensors")
        assert model_files.register_model_file(path) == f"file:{name}"
        assert models.load_classifier(f"file:{name}").input_size == spec.input_size
    for name in models.model_names():  # every architecture names its first wrong layer
        spec = models.get_spec(name)
        if spec.source == "file":
            continue
        with torch.device("meta"):
            state = dict(spec.build().state_dict())
        first = next(iter(state))
        state[first] = torch.zeros(3, 1)
        with pytest.raises(UserError, match=f"layer “{first}” is 3×1, the architecture needs"):
            model_files.check_fits(state, spec, "w.safetensors")


class _Evil:
    def __reduce__(self):
        return (os.system, (f"touch {Path(__file__).parent / 'PWNED'}",))


def test_a_pickled_payload_is_refused_and_never_runs(tmp_path):
    p = tmp_path / "evil.pth"
    torch.save({"weight": _Evil()}, p)
    with pytest.raises(UserError, match="can be loaded safely"):
        models.register_model_file(p)
    assert not (Path(__file__).parent / "PWNED").exists()


def test_unmatched_state_dict_is_explained(tmp_path):
    p = tmp_path / "other.pth"
    torch.save({"w": torch.zeros(3)}, p)
    with pytest.raises(UserError, match="match none"):
        models.register_model_file(p)


class _Handler(http.server.BaseHTTPRequestHandler):
    payload = b""

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", str(len(self.payload)))
        self.end_headers()
        self.wfile.write(self.payload)

    def log_message(self, *args):
        pass


def _serve(payload):
    _Handler.payload = payload
    server = http.server.HTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_download_verifies_hash_and_reports_progress(tmp_path):
    torch.hub.set_dir(str(tmp_path / "hub"))
    server = _serve(b"x" * 300_000)
    try:
        spec = models.get_spec("googlenet")
        url = f"http://127.0.0.1:{server.server_port}/{os.path.basename(spec.url)}"
        with pytest.raises(UserError, match="corrupted"):
            list(model_download.download_job("googlenet", url=url))
        assert not spec.weights().exists() and not list(spec.weights().parent.glob("*.part"))

        good = b"y" * 300_000
        digest = hashlib.sha256(good).hexdigest()[:8]
        _Handler.payload = good
        frames = list(model_download.download_job("googlenet", url=f"http://127.0.0.1:{server.server_port}/g-{digest}.pth"))
        assert frames[-1].done and frames[-1].received == len(good)
        assert spec.weights().read_bytes() == good
    finally:
        server.shutdown()
        torch.hub.set_dir(os.path.join(torch.hub._get_torch_home(), "hub"))


def test_download_offline_fails_fast_with_a_sentence(tmp_path):
    torch.hub.set_dir(str(tmp_path / "hub"))
    try:
        with pytest.raises(UserError, match="could not download"):
            list(model_download.download_job("resnet50", url="http://127.0.0.1:9/resnet50-11ad3fa6.pth", timeout=2))
    finally:
        torch.hub.set_dir(os.path.join(torch.hub._get_torch_home(), "hub"))


def test_inception_is_built_for_299_pixels_without_auxiliary_heads():
    spec = models.get_spec("inception_v3")
    assert spec.input_size == (299, 299)
    net = spec.build()
    spec.finish(net)
    net.eval()
    with torch.inference_mode():
        assert net(torch.rand(1, 3, 299, 299)).shape == (1, 1000)
    assert getattr(net, "AuxLogits", None) is None
