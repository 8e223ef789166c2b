"""Inside the network: anatomy, feature and class visualisation, DeepDream (small step counts)."""

import numpy as np
import pytest
import torch
import torchvision.models as tvm

from core import anatomy, classvis, dream, featuremaps, featurevis, imaging, models
from core.errors import UserError
from core.jobs import CancelToken
from core.resources import sample_images


@pytest.fixture(scope="module")
def clf():
    return models.load_classifier("efficientnet_lite0")


@pytest.fixture(scope="module")
def photos():
    return [imaging.fit_to_size(imaging.load_image(p), (224, 224)) for p in sample_images().values()]


def _random_weights(net, size=(224, 224)):
    torch.manual_seed(0)
    return models.Classifier(net.eval(), name="random", input_size=size, labels=models.imagenet_labels(),
                             mean=models.IMAGENET_MEAN, std=models.IMAGENET_STD)


def test_lite0_stages_run_from_a_long_convolutional_body_to_a_short_dense_head(clf):
    stages = anatomy.stages(clf)
    kinds = [s.kind for s in stages]
    assert [s.name for s in stages] == ["conv_stem"] + [f"blocks{i}" for i in range(1, 8)] + \
        ["conv_head", "avg_pooling", "fc"]
    assert kinds == ["conv"] * 9 + ["pool", "dense"]
    assert stages[4].shape == (80, 14, 14) and stages[4].title == "MBConvBlock ×3"
    assert stages[-1].shape == (1000,)
    with pytest.raises(UserError, match="blocks3"):
        anatomy.find_stage(clf, "mixed5")


@pytest.mark.parametrize("build,size,expect", [
    (lambda: tvm.googlenet(weights=None, aux_logits=False, init_weights=False), (224, 224),
     ["inception3a", "inception5b", "avgpool", "fc"]),
    (lambda: tvm.inception_v3(weights=None, aux_logits=False, init_weights=False), (299, 299),
     ["Mixed_5b", "Mixed_7c", "avgpool", "fc"]),
])
def test_torchvision_architectures_read_as_stages_and_visualise(build, size, expect):
    model = _random_weights(build(), size)
    stages = anatomy.stages(model)
    names = [s.name for s in stages]
    assert all(n in names for n in expect) and stages[-1].kind == "dense"
    last = list(featurevis.visualize_job(model, anatomy.find_stage(model, expect[0]), [3],
                                         featurevis.VisParams(steps=2, size=96)))[-1]
    assert last.done and last.image.shape == (96, 96, 3)


def test_feature_maps_show_the_most_active_channels(clf, photos):
    stage = anatomy.find_stage(clf, "blocks3")
    frame = list(featuremaps.maps_job(clf, photos[1], stage, count=16, cell=32))[-1]
    assert frame.spatial and len(frame.channels) == 16 and frame.means == tuple(sorted(frame.means, reverse=True))
    same = list(featuremaps.maps_job(clf, photos[1], stage, compare=photos[1]))[-1]
    other = list(featuremaps.maps_job(clf, photos[1], stage, compare=photos[2]))[-1]
    assert same.compared and same.relative_change == 0 and other.relative_change > 0.2
    out = list(featuremaps.maps_job(clf, photos[1], anatomy.find_stage(clf, "fc")))[-1]
    assert out.probabilities and clf.labels[out.channels[0]] == "Egyptian cat"


def test_a_synthesised_picture_excites_its_channel_far_more_than_photos(clf, photos):
    stage = anatomy.find_stage(clf, "blocks4")
    natural = anatomy.channel_means(clf, photos, stage)[:, 10]
    last = list(featurevis.visualize_job(clf, stage, [10], featurevis.VisParams(steps=24, size=128)))[-1]
    measured = anatomy.channel_means(clf, [last.image], stage)[0, 10]
    assert last.done and measured > 3 * natural.max() and last.values[0] > 3 * natural.max()


def test_class_visualisation_reaches_its_class_with_and_without_regularisers(clf):
    last = list(classvis.class_job(clf, 3, featurevis.VisParams(steps=12, size=128)))[-1]
    assert last.done and last.probs[0] > 0.9 and last.top[0][0] == 3 and last.probs[1] > 0.5


def test_regularised_pictures_have_less_high_frequency_energy(clf):
    stage = anatomy.find_stage(clf, "blocks3")
    energy = {}
    for preset in ("none", "standard"):
        p = featurevis.VisParams(steps=16, size=128).with_preset(preset)
        energy[preset] = featurevis.high_frequency_energy(list(featurevis.visualize_job(clf, stage, [5], p))[-1].image)
    assert energy["standard"] < 0.7 * energy["none"]


def test_dream_keeps_the_photos_size_and_changes_it(clf):
    photo = imaging.load_image(sample_images()["coffee"])
    stages = [anatomy.find_stage(clf, "blocks3"), anatomy.find_stage(clf, "blocks5")]
    last = list(dream.dream_job(clf, photo, stages, dream.DreamParams(octaves=2, steps=2)))[-1]
    assert last.done and last.image.shape == photo.shape and last.step == 4
    assert np.abs(last.image.astype(int) - photo.astype(int)).mean() > 1
    with pytest.raises(UserError, match="feature maps"):
        next(dream.dream_job(clf, photo, [anatomy.find_stage(clf, "fc")]))


@pytest.mark.parametrize("make", [
    lambda clf, c: featurevis.visualize_job(clf, anatomy.find_stage(clf, "blocks2"), [0, 1],
                                            featurevis.VisParams(steps=500, size=64), cancel=c),
    lambda clf, c: classvis.class_job(clf, 3, featurevis.VisParams(steps=500, size=64), cancel=c),
    lambda clf, c: dream.dream_job(clf, np.full((80, 80, 3), 128, np.uint8), [anatomy.find_stage(clf, "blocks2")],
                                   dream.DreamParams(steps=200), cancel=c),
])
def test_stop_ends_every_job_within_a_step(clf, make):
    cancel = CancelToken()
    seen = []
    for frame in make(clf, cancel):
        seen.append(frame)
        if frame.step == 2 and not frame.done:
            cancel.cancel()
    assert seen[-1].done and seen[-1].step <= 3 and len(seen) <= 4


@pytest.mark.parametrize("kw,words", [({"steps": 0}, "Steps"), ({"size": 8}, "size"),
                                      ({"scale": 2.0}, "Scale")])
def test_bad_settings_are_sentences(kw, words):
    with pytest.raises(UserError, match=words):
        featurevis.VisParams(**kw).validated()
    with pytest.raises(UserError, match="regulariser"):
        featurevis.VisParams().with_preset("magic")


def test_channel_out_of_range_is_a_sentence(clf):
    with pytest.raises(UserError, match="channels 0–23"):
        next(featurevis.visualize_job(clf, anatomy.find_stage(clf, "blocks2"), [24]))


def test_probes_leave_other_threads_alone(clf, photos):
    """A probe that stops the forward pass early must not cut short another thread's pass."""
    import threading

    stage = anatomy.find_stage(clf, "blocks1")
    results = {}

    def other():
        results["logits"] = clf(imaging_tensor(photos[1]))

    with torch.inference_mode(), anatomy.Probe(clf, [stage]):
        t = threading.Thread(target=lambda: torch.inference_mode()(other)())
        t.start()
        t.join()
    assert results["logits"].shape == (1, 1000)


def imaging_tensor(img):
    from core.jobs import from_uint8_image

    return from_uint8_image(img)


def test_stages_are_read_alike_while_another_job_uses_the_same_model(clf):
    """Another tab classifying with the shared model meanwhile must not add its calls to the trace."""
    import threading

    expected = [s.name for s in anatomy.stages(clf)]
    anatomy._CACHE.clear()  # noqa: SLF001 - read them again, this time with a busy neighbour
    busy = threading.Event()
    stop = threading.Event()

    def neighbour():
        x = torch.rand(1, clf.channels, *clf.input_size)
        while not stop.is_set():
            with torch.inference_mode():
                clf(x)
            busy.set()

    t = threading.Thread(target=neighbour, daemon=True)
    t.start()
    busy.wait(60)
    try:
        assert [s.name for s in anatomy.stages(clf)] == expected
    finally:
        stop.set()
        t.join(60)
