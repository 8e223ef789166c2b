"""Autoencoders on MNIST: compression, denoising, and a "LIAR!" detector for off-manifold inputs.

Following F. Chollet's "Building Autoencoders in Keras": a dense 784-32-784 autoencoder, a deep one
(128-64-32 and its mirror) and a convolutional one, each optionally trained as a *denoising*
autoencoder (noisy input, clean target). The loss is binary cross-entropy per pixel (the blog's
unit, the one the lecture quotes) or the mean squared error.

The package's seams: ``config`` (the parameters, declared once), ``models`` (the networks, the loss,
digits ⇄ tensors), ``prepare`` (any picture → an MNIST-style digit), ``weights`` (a trained model and
its checked weights file), ``training`` (the live training job), ``detector`` (the LIAR! verdict and
the ROC), ``off_manifold`` (images that are no digits) and ``latent`` (the code space). Everything
public is importable from here.
"""

from .config import (
    ARCH_TITLES, ARCHS, DEFAULT_K, DEFAULT_TRAINING, FORMAT, LOSS_TITLES, LOSSES, MAX_LATENT, NOISE_KINDS,
    NOISE_TITLES, OFF_MANIFOLD_KINDS, AEConfig, DenoiseParams, DetectorParams, TrainParams, default_params,
)
from .detector import (
    DetectorFrame, DetectorReport, Verdict, as_model_sees, auroc, detector_job, detector_losses,
    evaluate_detector, judge, losses, reconstruct, roc_curve,
)
from .latent import LatentMap, decode, encode, interpolate, latent_map
from .models import AutoEncoder, add_noise, noisy_images, per_image_loss, to_tensor, to_u8
from .off_manifold import (
    FoolingFrame, digit_classifier, fooling_image_job, fooling_images, off_manifold_set,
)
from .prepare import Prepared, mnist_style
from .training import TrainFrame, strip_indices, train_job
from .weights import (
    OPEN_FILTER, SANE_VAL_LOSS, SUFFIXES, TrainedAE, check_out_path, is_autoencoder_file, load_default,
    shipped_weights,
)

__all__ = [name for name in dir() if not name.startswith("_")]
