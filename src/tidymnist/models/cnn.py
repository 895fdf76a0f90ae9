"""A small convolutional network as a scikit-learn classifier, and what its filters see.

PyTorch is an optional extra: this module imports without it, and fitting or loading a network
says how to install it. The network takes the scaled pixels of
:func:`tidymnist.core.grid.scale_pixels`
((n, 784) or (n, 28, 28), 0-1). Per stage two 3x3 convolutions without padding (each with batch
normalisation and ReLU) and a 2x2 max-pool: 28 -> 26 -> 24 -> 12 -> 10 -> 8 -> 4 pixels for the
default two stages; then dropout, a hidden layer and the ten outputs.

Training is seeded and deterministic on the CPU: the same seed, data and number of threads give
the same weights bit for bit (a different number of threads sums in another order).
"""

import contextlib
import logging
import math
import os
import time
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import polars as pl
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from tidymnist.core.digits import N_PIXELS, SIDE
from tidymnist.core.extras import INSTALL_HINT, TorchMissingError
from tidymnist.core.grid import X, Y, scale_pixels
from tidymnist.tables.pixels import split_arrays

log = logging.getLogger(__name__)

PREDICT_BATCH = 1024
ACTIVATION_SCHEMA = pl.Schema(
    {
        "image": pl.UInt32,
        "layer": pl.String,
        "channel": pl.UInt16,
        "x": pl.UInt8,
        "y": pl.UInt8,
        "value": pl.Float32,
    }
)

DIGITS_SCHEMA = pl.Schema(
    {"image": pl.UInt32, "name": pl.String, "x": pl.UInt8, "y": pl.UInt8, "value": pl.UInt8}
)


def import_torch():
    """The ``torch`` module, or :class:`TorchMissingError` saying how to install it.

    Unless the environment says otherwise, OpenMP threads that wait sleep instead of spinning:
    on a machine shared with other jobs (the workflow runs several at once) spinning threads
    made training up to three times slower; alone on the machine it makes no difference.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # read once, when torch loads OpenMP
    try:
        import torch  # noqa: PLC0415 (optional dependency, imported only when needed)
    except ImportError as error:
        raise TorchMissingError(f"{INSTALL_HINT} ({error})") from None
    return torch


def architecture(params: dict[str, Any]) -> dict[str, Any]:
    """The hyperparameters that fix the network's shape (what a weights file must match)."""
    return {
        "channels": [int(c) for c in params["channels"]],
        "hidden": int(params["hidden"]),
        "dropout": float(params["dropout"]),
        "n_classes": int(params["n_classes"]),
    }


def build_network(channels: Sequence[int], hidden: int, dropout: float, n_classes: int):
    """The network (a ``torch.nn.Sequential``) for these hyperparameters, freshly initialised."""
    torch = import_torch()
    nn = torch.nn
    layers: list = []
    side, width = SIDE, 1
    for out in channels:
        for _ in range(2):
            layers += [
                nn.Conv2d(width, out, kernel_size=3, bias=False),
                nn.BatchNorm2d(out),
                nn.ReLU(),
            ]
            width, side = out, side - 2
        layers.append(nn.MaxPool2d(2))
        side //= 2
        if side < 1:
            raise ValueError(f"channels {list(channels)}: too many stages for 28 x 28 images")
    layers += [
        nn.Flatten(),
        nn.Dropout(dropout),
        nn.Linear(width * side * side, hidden),
        nn.ReLU(),
        nn.Dropout(dropout / 2),
        nn.Linear(hidden, n_classes),
    ]
    return nn.Sequential(*layers)


def conv_layer_names(network) -> list[tuple[int, str]]:
    """(index of the ReLU after each convolution, its name ``conv1`` ...) in network order."""
    torch = import_torch()
    names, count = [], 0
    for index, module in enumerate(network):
        if isinstance(module, torch.nn.Conv2d):
            count += 1
        elif isinstance(module, torch.nn.ReLU) and isinstance(network[index - 2], torch.nn.Conv2d):
            names.append((index, f"conv{count}"))
    return names


def map_geometry(layer: str) -> tuple[float, float]:
    """Where the feature map of convolution ``layer`` (``conv1`` ...) lies on the input: the
    pixel distance between its neighbouring cells and the input position of cell 0's centre
    (its receptive field's centre), for this module's networks (per stage two 3x3 convolutions
    without padding, then a 2x2 pool)."""
    index = int(layer.removeprefix("conv")) - 1
    stage, within = divmod(index, 2)
    stride, offset = 1.0, 0.0
    for _ in range(stage):
        offset, stride = offset + 2.5 * stride, 2 * stride
    return stride, offset + (within + 1) * stride


@contextlib.contextmanager
def _torch_settings(torch, threads: int, deterministic: bool = True) -> Iterator[None]:
    """Run the block with ``threads`` threads and deterministic algorithms; restore both after.

    Deterministic mode also fills every new tensor's memory before use, a debugging aid that
    cannot change what an operation writes and took a sixth of each training step: it is off.
    """
    flags = torch.utils.deterministic
    old_threads = torch.get_num_threads()
    old_deterministic = torch.are_deterministic_algorithms_enabled()
    old_fill = flags.fill_uninitialized_memory
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(deterministic)
    flags.fill_uninitialized_memory = False
    try:
        yield
    finally:
        torch.set_num_threads(old_threads)
        torch.use_deterministic_algorithms(old_deterministic)
        flags.fill_uninitialized_memory = old_fill


def _as_batch(torch, X) -> Any:
    """Scaled pixels (n, 784) or (n, 28, 28) as a float32 tensor (n, 1, 28, 28)."""
    array = np.asarray(X, dtype=np.float32)
    if array.ndim not in (2, 3) or array.shape[1:] not in ((N_PIXELS,), (SIDE, SIDE)):
        raise ValueError(f"expected images of shape (n, 784) or (n, 28, 28), got {array.shape}")
    return torch.from_numpy(np.ascontiguousarray(array.reshape(len(array), 1, SIDE, SIDE)))


def augment_batch(torch, batch, generator, max_shift: float, max_rotation: float):
    """``batch`` (n, 1, 28, 28) with each image rotated by up to ``max_rotation`` degrees and
    shifted by up to ``max_shift`` pixels each way (uniform, from ``generator``), bilinear."""
    n = len(batch)
    angle = (torch.rand(n, generator=generator) * 2 - 1) * math.radians(max_rotation)
    shift = (torch.rand(n, 2, generator=generator) * 2 - 1) * max_shift * 2 / SIDE
    cos, sin = torch.cos(angle), torch.sin(angle)
    theta = torch.stack(
        [torch.stack([cos, -sin, shift[:, 0]], 1), torch.stack([sin, cos, shift[:, 1]], 1)], 1
    )
    grid = torch.nn.functional.affine_grid(theta, list(batch.shape), align_corners=False)
    return torch.nn.functional.grid_sample(
        batch, grid, mode="bilinear", padding_mode="zeros", align_corners=False
    )


class CNNClassifier(ClassifierMixin, BaseEstimator):
    """A small convolutional network for 28 x 28 digits with scikit-learn's interface.

    ``channels``: convolution widths per stage (two 3x3 convolutions and a 2x2 pool each);
    ``hidden``: units of the dense layer; ``dropout`` before it (half that after it);
    ``epochs``, ``batch_size``; ``learning_rate``: the peak of a one-cycle schedule for AdamW
    with ``weight_decay``; ``augment``: random shifts of up to ``max_shift`` pixels and
    rotations of up to ``max_rotation`` degrees of every training batch; ``threads``: CPU
    threads; ``seed``: initialisation, shuffling, dropout and augmentation.
    """

    def __init__(
        self,
        *,
        channels: Sequence[int] = (16, 32),
        hidden: int = 128,
        dropout: float = 0.05,
        epochs: int = 7,
        batch_size: int = 256,
        learning_rate: float = 0.005,
        weight_decay: float = 0.0001,
        augment: bool = True,
        max_shift: float = 2.0,
        max_rotation: float = 10.0,
        threads: int = 2,
        seed: int = 0,
    ):
        self.channels = channels
        self.hidden = hidden
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.augment = augment
        self.max_shift = max_shift
        self.max_rotation = max_rotation
        self.threads = threads
        self.seed = seed

    def fit(self, X, y):
        """Train a fresh network on scaled images ``X`` and labels ``y``, logging each epoch."""
        torch = import_torch()
        self.classes_, targets = np.unique(np.asarray(y), return_inverse=True)
        with _torch_settings(torch, self.threads):
            torch.manual_seed(self.seed)
            generator = torch.Generator().manual_seed(self.seed)
            images = _as_batch(torch, X)
            targets = torch.from_numpy(targets.astype(np.int64))
            self.network_ = build_network(
                self.channels, self.hidden, self.dropout, len(self.classes_)
            )
            # channels-last memory lets the CPU's convolutions run about twice as fast; the
            # trained network goes back to the default layout, the one a loaded file gets
            self.network_.to(memory_format=torch.channels_last)
            self._train(torch, images, targets, generator)
            self.network_.to(memory_format=torch.contiguous_format)
        self.network_.eval()
        return self

    def _train(self, torch, images, targets, generator) -> None:
        n = len(images)
        steps = math.ceil(n / self.batch_size)
        optimiser = torch.optim.AdamW(
            self.network_.parameters(), lr=self.learning_rate, weight_decay=self.weight_decay
        )
        schedule = torch.optim.lr_scheduler.OneCycleLR(
            optimiser, max_lr=self.learning_rate, total_steps=max(1, self.epochs * steps)
        )
        loss_function = torch.nn.CrossEntropyLoss()
        self.network_.train()
        for epoch in range(1, self.epochs + 1):
            start = time.perf_counter()
            order = torch.randperm(n, generator=generator)
            total_loss, correct = 0.0, 0
            for first in range(0, n, self.batch_size):
                index = order[first : first + self.batch_size]
                batch, truth = images[index], targets[index]
                if self.augment:
                    batch = augment_batch(
                        torch, batch, generator, self.max_shift, self.max_rotation
                    )
                optimiser.zero_grad(set_to_none=True)
                scores = self.network_(batch.contiguous(memory_format=torch.channels_last))
                loss = loss_function(scores, truth)
                loss.backward()
                optimiser.step()
                schedule.step()
                total_loss += float(loss.detach()) * len(index)
                correct += int((scores.argmax(1) == truth).sum())
            log.info(
                "epoch %d/%d: loss %.4f, train accuracy %.2f%%, %.1f s",
                epoch,
                self.epochs,
                total_loss / n,
                100 * correct / n,
                time.perf_counter() - start,
            )

    def _scores(self, X) -> np.ndarray:
        """Class probabilities of scaled images ``X``, in batches, without gradients."""
        check_is_fitted(self, "network_")
        torch = import_torch()
        self.network_.eval()
        images = _as_batch(torch, X)
        parts = []
        with _torch_settings(torch, self.threads), torch.no_grad():
            for first in range(0, len(images), PREDICT_BATCH):
                scores = self.network_(images[first : first + PREDICT_BATCH])
                parts.append(torch.softmax(scores, dim=1).numpy())
        return np.concatenate(parts) if parts else np.zeros((0, len(self.classes_)))

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities (n, classes) of scaled images, columns in the order of ``classes_``."""
        return self._scores(X)

    def predict(self, X) -> np.ndarray:
        """The most probable class of each scaled image."""
        return self.classes_[self._scores(X).argmax(axis=1)]

    def n_parameters(self) -> int:
        """How many numbers the fitted network keeps (weights and batch-norm statistics)."""
        check_is_fitted(self, "network_")
        return sum(int(t.numel()) for t in self.network_.state_dict().values())


def activations(model, images: np.ndarray) -> pl.DataFrame:
    """The feature maps of every convolution layer (after its ReLU) for raw 0-255 ``images``
    (n, 28, 28), as a tidy table: image (0-based position in ``images``), layer (conv1 ...),
    channel, x, y (in that layer's own grid), value.

    ``model`` is a fitted pipeline ending in a :class:`CNNClassifier` (its earlier steps, such as
    deskewing and scaling, are applied first) or a bare classifier (the images are scaled to 0-1).
    """
    if isinstance(model, CNNClassifier):
        classifier, scaled = model, scale_pixels(images)
    else:
        classifier, scaled = model[-1], model[:-1].transform(images)
    check_is_fitted(classifier, "network_")
    torch = import_torch()
    network = classifier.network_
    network.eval()
    layers = dict(conv_layer_names(network))
    frames = []
    with _torch_settings(torch, classifier.threads), torch.no_grad():
        out = _as_batch(torch, scaled)
        for index, module in enumerate(network):
            out = module(out)
            if index in layers:
                maps = out.numpy()
                n, channels, height, width = maps.shape
                image, channel, y, x = np.meshgrid(
                    np.arange(n), np.arange(channels), np.arange(height), np.arange(width),
                    indexing="ij",
                )  # fmt: skip
                frame = pl.DataFrame(
                    {
                        "image": image.reshape(-1).astype(np.uint32),
                        "channel": channel.reshape(-1).astype(np.uint16),
                        "x": x.reshape(-1).astype(np.uint8),
                        "y": y.reshape(-1).astype(np.uint8),
                        "value": maps.reshape(-1).astype(np.float32),
                    }
                )
                frames.append(
                    frame.with_columns(layer=pl.lit(layers[index])).select(
                        ACTIVATION_SCHEMA.names()
                    )
                )
            if index == max(layers):
                break
    return pl.concat(frames)


def digits_table(images: np.ndarray, names: Sequence[str]) -> pl.DataFrame:
    """The digits whose feature maps are drawn, one row per pixel: image (0-based, as in
    :func:`activations`), its name as a reader sees it, x, y and value (0-255)."""
    n = len(images)
    return pl.DataFrame(
        {
            "image": np.repeat(np.arange(n, dtype=np.uint32), N_PIXELS),
            "name": np.repeat(np.asarray(names, dtype=object), N_PIXELS),
            "x": np.tile(X, n),
            "y": np.tile(Y, n),
            "value": np.asarray(images, dtype=np.uint8).reshape(-1),
        },
        schema=DIGITS_SCHEMA,
    )


def feature_maps(
    model,
    pixels: pl.LazyFrame | pl.DataFrame,
    instance: int,
    custom: tuple[list[str], np.ndarray] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The :func:`activations` and the :func:`digits_table` of the test digit ``instance`` of a
    pixel table and, given ``custom`` (files and images, as
    :func:`tidymnist.handwriting.custom.image_arrays` gives them), of the first custom digit."""
    _, images, labels = split_arrays(pixels, "test")
    digits = [(images[instance], f"test digit #{instance}, a {labels[instance]}")]
    if custom is not None:
        files, arrays = custom
        digits.append((arrays[0], f"your digit {files[0]}"))
    stack = np.stack([array for array, _ in digits])
    return activations(model, stack), digits_table(stack, [name for _, name in digits])
