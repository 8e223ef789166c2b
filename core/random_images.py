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
    images, titles, labels, confs, chance = [], [], [], [], []
    notes = []
    yield NullSetFrame(step=0, total=3, message="loading the classifiers…")
    clf = models.load_classifier("efficientnet_lite0", device)
    noise = rng.integers(0, 256, size=(*clf.input_size, 3), dtype=np.uint8)
    _, name, p = classify(clf, noise, k=1)[0]
    images.append(noise)
    titles.append("ImageNet net on random pixels")
    labels.append(name)
    confs.append(p)
    chance.append(1 / clf.num_classes)
    if cancel.checkpoint():
        return
    ok, why = models.availability("mnist_cnn")
    if ok:
        mnist = models.load_classifier("mnist_cnn", device)
        digit_noise = rng.integers(0, 256, size=tuple(mnist.input_size), dtype=np.uint8)
        x = from_uint8_image(digit_noise, mnist.device)
        probs = mnist.probabilities(x)[0]
        k = int(probs.argmax())
        images.append(np.repeat(digit_noise[:, :, None], 3, axis=2))
        titles.append("Digit net on random pixels")
        labels.append(f"digit {mnist.labels[k]}")
        confs.append(float(probs[k]))
        chance.append(1 / mnist.num_classes)
    else:
        notes.append("The MNIST digit classifier is not installed here, so only the ImageNet one is shown.")
    samples = sample_images()
    if samples:
        key = photo if photo in samples else ("chelsea" if "chelsea" in samples else next(iter(samples)))
        real = imaging.fit_to_size(imaging.load_image(samples[key]), clf.input_size)
        _, name, p = classify(clf, real, k=1)[0]
        images.append(real)
        titles.append("ImageNet net on a real photo")
        labels.append(name)
        confs.append(p)
        chance.append(1 / clf.num_classes)
    yield NullSetFrame(step=3, total=3, done=True, images=tuple(images), titles=tuple(titles),
                       labels=tuple(labels), confidences=tuple(confs), chance=tuple(chance), note=" ".join(notes),
                       message="random images classified")