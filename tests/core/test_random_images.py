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
