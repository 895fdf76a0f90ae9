"""Light data augmentation: copies of the training images shifted by a pixel or two."""

import numpy as np

# One-pixel shifts (down, up, right, left), in the order copies are added.
SHIFTS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def shifted_copies(
    images: np.ndarray, labels: np.ndarray, copies: int
) -> tuple[np.ndarray, np.ndarray]:
    """The images followed by ``copies`` (0-4) shifted versions of all of them (one pixel down,
    up, right, left, in that order), with their labels. Pixels shifted in are blank."""
    if not 0 <= copies <= len(SHIFTS):
        raise ValueError(f"copies must be between 0 and {len(SHIFTS)}, got {copies}")
    out = [images]
    for dy, dx in SHIFTS[:copies]:
        shifted = np.zeros_like(images)
        rows = slice(max(dy, 0), images.shape[1] + min(dy, 0))
        cols = slice(max(dx, 0), images.shape[2] + min(dx, 0))
        source_rows = slice(max(-dy, 0), images.shape[1] + min(-dy, 0))
        source_cols = slice(max(-dx, 0), images.shape[2] + min(-dx, 0))
        shifted[:, rows, cols] = images[:, source_rows, source_cols]
        out.append(shifted)
    return np.concatenate(out), np.tile(labels, copies + 1)
