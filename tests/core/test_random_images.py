"""Random images through the model zoo: noise still gets a confident class."""

from __future__ import annotations

import numpy as np
import pytest

from core.models import availability
from core.random_images import null_set_job


def test_null_set_images_get_confident_labels():
    frames = list(null_set_job(seed=0))
    last = frames[-1]
    assert last.done
    assert len(last.images) == len(last.titles) == len(last.labels) == len(last.confidences) >= 2
    assert last.images[0].shape == (224, 224, 3) and last.images[0].dtype == np.uint8
    assert all(0 < c <= 1 for c in last.confidences)
    assert last.chance[0] == pytest.approx(1 / 1000)
    if availability("mnist_cnn")[0]:
        assert any("Digit" in t for t in last.titles) and not last.note
    else:
        assert "MNIST" in last.note and not any("Digit" in t for t in last.titles)


def test_the_photo_is_judged_as_every_other_tab_shows_it_to_the_network():
    """The same photo, the same network: the same confidence here as in the other tabs (which
    crop the centre), not another one from a stretched copy."""
    from core import imaging, models
    from core.jobs import from_uint8_image
    from core.resources import sample_images

    last = list(null_set_job(seed=0, photo="chelsea"))[-1]
    clf = models.load_classifier("efficientnet_lite0", "cpu")
    photo = imaging.fit_image(imaging.load_image(sample_images()["chelsea"]), clf.input_size, "crop")
    assert np.array_equal(last.images[-1], photo)
    probs = clf.probabilities(from_uint8_image(photo, clf.device))[0]
    assert last.confidences[-1] == pytest.approx(float(probs.max()), abs=1e-6)
