"""Random images and what real classifiers call them: the "random images are noise" page.

Drawn at random, an image is noise: natural photos are a vanishingly thin part of all possible
images, as the toy's curve is a thin part of the plane. The classifiers of the model zoo still name
a class for noise, far surer than a blind guess. This job lives apart from the manifold toy so that
the toy never depends on the model zoo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch

from . import imaging, models
from .jobs import CancelToken, Frame, from_uint8_image
from .resources import sample_images
from .whitebox import classify


@dataclass(frozen=True)
class NullSetFrame(Frame):
    images: tuple[np.ndarray, ...] = ()  # uint8 images: noise for each model, then the photo
    titles: tuple[str, ...] = ()  # "model: label (confidence)"
    labels: tuple[str, ...] = ()
    confidences: tuple[float, ...] = ()
    chance: tuple[float, ...] = ()  # 1 / number of classes, for "how sure compared with guessing"
    note: str = ""  # a sentence when a model is missing


def null_set_job(seed: int = 0, photo: str | None = None, *, device: torch.device | str = "cpu",
                 cancel: CancelToken | None = None) -> Iterator[NullSetFrame]:
    """Uniform-noise images through the ImageNet and MNIST classifiers, next to a real photo.

    Loads the models here (call it in a worker thread). A missing MNIST model becomes a sentence.
    """
    cancel = cancel or CancelToken()
    rng = np.random.default_rng(seed)
    shown: list[tuple[np.ndarray, str, str, float, float]] = []  # image, title, label, confidence, chance
    notes = []
    yield NullSetFrame(step=0, total=3, message="loading the classifiers…")
    clf = models.load_classifier("efficientnet_lite0", device)

    def imagenet_verdict(image: np.ndarray, title: str) -> None:
        _, name, p = classify(clf, image, k=1)[0]
        shown.append((image, title, name, p, 1 / clf.num_classes))

    imagenet_verdict(rng.integers(0, 256, size=(*clf.input_size, 3), dtype=np.uint8), "ImageNet net: noise")
    if cancel.checkpoint():
        return
    if models.availability("mnist_cnn")[0]:
        mnist = models.load_classifier("mnist_cnn", device)
        digit_noise = rng.integers(0, 256, size=tuple(mnist.input_size), dtype=np.uint8)
        probs = mnist.probabilities(from_uint8_image(digit_noise, mnist.device))[0]
        k = int(probs.argmax())
        shown.append((np.repeat(digit_noise[:, :, None], 3, axis=2), "Digit net: noise", f"digit {mnist.labels[k]}",
                      float(probs[k]), 1 / mnist.num_classes))
    else:
        notes.append("The MNIST digit classifier is not installed here, so only the ImageNet one is shown.")
    samples = sample_images()
    if samples:
        key = photo if photo in samples else ("chelsea" if "chelsea" in samples else next(iter(samples)))
        imagenet_verdict(imaging.fit_image(imaging.load_image(samples[key]), clf.input_size, "crop"),
                         "ImageNet net: a photo")  # cropped, as every tab shows a photo to the net
    images, titles, labels, confs, chance = (tuple(column) for column in zip(*shown))
    yield NullSetFrame(step=3, total=3, done=True, images=images, titles=titles, labels=labels, confidences=confs,
                       chance=chance, note=" ".join(notes), message="random images classified")
