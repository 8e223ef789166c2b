"""The white-box attack on the real bundled ImageNet model."""

import numpy as np
import pytest

from core import imaging, models
from core.errors import UserError
from core.jobs import CancelToken
from core.resources import sample_images
from core.whitebox import AttackParams, attack_job, classify

TIGER_SHARK = 3


@pytest.fixture(scope="module")
def clf():
    return models.load_classifier("efficientnet_lite0")


def test_pgd_fools_the_cat_and_the_saved_png_still_fools(clf, chelsea_224, tmp_path):
    frames = list(attack_job(clf, chelsea_224, TIGER_SHARK, AttackParams(eps=2, steps=60, stop_at=0.99)))
    first, last = frames[0], frames[-1]
    assert first.step == 0 and first.target_prob < 0.01 and first.original_class == 285
    assert last.done and last.reached and last.target_prob >= 0.99
    assert last.linf_255 <= 2 and last.step <= 60
    assert len(last.history_target) == last.step + 1

    out = imaging.save_png(tmp_path / "shark.png", last.image)
    top = classify(clf, imaging.load_image(out))
    assert top[0][0] == TIGER_SHARK and top[0][2] >= 0.99
    assert np.abs(imaging.load_image(out).astype(int) - chelsea_224.astype(int)).max() <= 2


@pytest.mark.parametrize("method,norm", [("fgsm", "linf"), ("ascent", "linf"), ("pgd", "l2")])
def test_other_methods_raise_the_target(clf, chelsea_224, method, norm):
    last = list(attack_job(clf, chelsea_224, TIGER_SHARK,
                           AttackParams(method=method, norm=norm, eps=4, steps=8, stop_at=None)))[-1]
    assert last.target_prob > 5 * last.history_target[0]
    assert last.target_prob == pytest.approx(max(last.history_target), abs=1e-4)  # best image kept
    if norm == "linf":
        assert last.linf_255 <= 4


def test_stop_ends_the_job_within_one_step(clf, chelsea_224):
    cancel = CancelToken()
    job = attack_job(clf, chelsea_224, TIGER_SHARK, AttackParams(steps=500, stop_at=None), cancel=cancel)
    seen = []
    for frame in job:
        seen.append(frame)
        if frame.step == 2 and not frame.done:
            cancel.cancel()
    assert seen[-1].done and seen[-1].step <= 3 and len(seen) <= 5


@pytest.mark.parametrize("kw,words", [
    ({"eps": 0}, "ε"), ({"eps": float("nan")}, "ε"), ({"steps": 0}, "steps"),
    ({"method": "magic"}, "method"), ({"stop_at": 1.5}, "probability"), ({"norm": "l1"}, "norm"),
])
def test_bad_parameters_are_explained(kw, words):
    with pytest.raises(UserError, match="(?i)" + words):
        AttackParams(**kw).validated()


def test_wrong_image_size_is_explained(clf):
    with pytest.raises(UserError, match="224×224"):
        next(attack_job(clf, np.zeros((10, 10, 3), np.uint8), 3))


def test_a_stopped_run_says_which_step_its_best_image_is_from(clf):
    """Scene 3 (elephant, ε = 1) stopped at step 17: the last step's image is the elephant again, the
    best one (the one kept and saved) is an earlier step's. The final frame must say which."""
    img = imaging.fit_image(imaging.load_image(sample_images()["elephant"]), clf.input_size)
    cancel = CancelToken()
    frames = []
    for frame in attack_job(clf, img, TIGER_SHARK, AttackParams(eps=1, steps=200), cancel=cancel):
        frames.append(frame)
        if frame.step == 17:
            cancel.cancel()
    live, last = frames[-2], frames[-1]
    assert live.image_step == live.step == 17 and last.done and last.step == 17
    best = int(np.argmax(last.history_target))
    assert last.image_step == best < 17
    # everything the final frame reports is about that one image: top 5, target, original class
    shown = frames[best]
    assert np.array_equal(last.image, shown.image) and last.top_indices == shown.top_indices
    assert last.top_probs[0] == pytest.approx(shown.top_probs[0], abs=1e-6)
    assert last.original_prob == pytest.approx(last.history_original[best], abs=1e-6)
