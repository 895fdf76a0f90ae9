"""Reading image files of custom digits: the only code in tidymnist that opens them.

Every image comes back as a 2-D ``float32`` array of *luminance* in 0-1: 0 is black, 1 is white,
whatever the file held (greyscale, RGB, palette, CMYK, 16-bit, 1-bit), upright as the camera saw it
(the EXIF orientation of phone photos is applied). Which side is ink is decided later, by
:mod:`tidymnist.handwriting.preprocess`.

Transparency is flattened onto a paper colour: an image that is mostly transparent is a drawing of
strokes on a clear sheet, so the paper is white under dark strokes and black under light ones
(a transparent PNG of black strokes, and one of white strokes, both keep their strokes visible);
an image that is mostly opaque is a sheet with clear margins, which take the colour of the sheet.

Only the first frame of an animated image (GIF, APNG, WebP) is read. Files are refused, each with
a message naming the file, when they are empty, not an image, truncated or corrupt, or larger than
``MAX_PIXELS`` (checked from the header, before anything is decoded: decompression bombs).
Images larger than ``max_side`` on their longer side are reduced with a box filter while they are
read, which bounds memory: a 28 x 28 digit needs nothing like a 40 megapixel photo.
"""

import io
import os
import warnings
from collections.abc import Iterable
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from tidymnist.core.errors import TidyMnistError

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp")
FORMATS = ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP")
MAX_PIXELS = 40_000_000  # 40 megapixels: more than any phone photo of a digit needs
MAX_BYTES = 64 * 1024 * 1024  # a file this large is not a photo of a digit either
MAX_SIDE = 2048  # images are reduced to at most this on their longer side while read
EXPECTED = "expected a PNG, JPEG, GIF, BMP, TIFF or WebP image"


class ImageFileError(TidyMnistError, ValueError):
    """An image file is missing, empty, not an image, corrupt or absurdly large."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


def find_images(paths: Iterable[str | os.PathLike]) -> list[Path]:
    """Every image named by ``paths``: files as given (whatever their suffix), folders searched
    recursively for files with an image suffix (case-insensitive, hidden files and folders
    skipped), each folder's images in sorted order. A missing path, or a folder without images,
    is an :class:`ImageFileError`."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            images = sorted(
                candidate
                for candidate in path.rglob("*")
                if candidate.is_file()
                and candidate.suffix.lower() in IMAGE_SUFFIXES
                and not any(part.startswith(".") for part in candidate.relative_to(path).parts)
            )
            if not images:
                raise ImageFileError(
                    path, f"folder holds no image files ({', '.join(IMAGE_SUFFIXES)})"
                )
            found.extend(images)
        else:
            raise ImageFileError(path, "no such file or folder")
    return found


def read_image(path: str | os.PathLike, max_side: int = MAX_SIDE) -> np.ndarray:
    """The image in file ``path`` as 2-D float32 luminance in 0-1 (0 black, 1 white)."""
    path = Path(path)
    if path.is_dir():
        raise ImageFileError(path, f"is a folder, {EXPECTED} file")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ImageFileError(
                path, f"file of {size / 2**20:.0f} MiB is larger than {MAX_BYTES // 2**20} MiB"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImageFileError(path, "file not found") from None
    except PermissionError:
        raise ImageFileError(path, "permission denied") from None
    return read_image_bytes(data, str(path), max_side)


def read_image_bytes(data: bytes, name: str, max_side: int = MAX_SIDE) -> np.ndarray:
    """The image encoded in ``data`` (an upload named ``name``) as in :func:`read_image`."""
    if not data:
        raise ImageFileError(name, f"empty file (0 bytes), {EXPECTED}")
    if len(data) > MAX_BYTES:
        raise ImageFileError(name, f"{len(data) / 2**20:.0f} MiB is more than the limit")
    with warnings.catch_warnings():
        # Pillow only warns about images between its own limit and twice that: refuse them too.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data), formats=FORMATS)
            _check_size(image, name)
            image.seek(0)  # the first frame of an animation
            image.load()
            image = ImageOps.exif_transpose(image)
        except ImageFileError:
            raise
        except UnidentifiedImageError:
            raise ImageFileError(name, f"not an image Pillow can read, {EXPECTED}") from None
        except (Image.DecompressionBombWarning, Image.DecompressionBombError) as error:
            raise ImageFileError(
                name,
                f"decompression bomb refused: more than the limit of {MAX_PIXELS / 1e6:.0f} "
                f"megapixels ({error})",
            ) from None
        except MemoryError:
            raise ImageFileError(name, "too large to decode in memory") from None
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError) as error:
            # truncated data, bad checksums, corrupt chunks, oversized text chunks ...
            raise ImageFileError(name, f"corrupt or truncated image ({error})") from None
    return _luminance(_reduced(image, max_side))


def _check_size(image: Image.Image, name: str) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise ImageFileError(name, f"image of {width} x {height} pixels has no pixels")
    if width * height > MAX_PIXELS:
        raise ImageFileError(
            name,
            f"decompression bomb refused: {width} x {height} pixels ({width * height / 1e6:.0f} "
            f"megapixels) is more than the limit of {MAX_PIXELS / 1e6:.0f} megapixels",
        )


def _reduced(image: Image.Image, max_side: int) -> Image.Image:
    """``image`` shrunk by an integer box filter until its longer side is at most ``max_side``."""
    factor = -(-max(image.size) // max_side)
    if factor <= 1:
        return image
    if image.mode not in ("L", "LA", "RGB", "RGBA", "I", "I;16", "F"):
        image = image.convert("RGBA" if _has_alpha(image) else "RGB")
    if image.mode == "I;16":
        image = image.convert("I")
    return image.reduce(factor)


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        image.mode == "P" and image.has_transparency_data
    )


def _luminance(image: Image.Image) -> np.ndarray:
    """2-D float32 luminance in 0-1 of a decoded image of any mode, alpha flattened."""
    alpha = None
    if _has_alpha(image):
        rgba = image.convert("LA") if image.mode in ("LA", "La") else image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"), dtype=np.float32) / 255
        image = rgba.convert("L") if rgba.mode == "LA" else rgba.convert("RGB")
    if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N"):
        values = np.asarray(image).astype(np.float32)
        top = 65535.0 if values.max(initial=0) <= 65535 else float(values.max())
        grey = values / np.float32(top)
    elif image.mode == "F":
        values = np.nan_to_num(np.asarray(image, dtype=np.float32))
        low, high = float(values.min()), float(values.max())
        grey = values if low >= 0 and high <= 1 else (values - low) / np.float32(high - low or 1)
    else:
        grey = np.asarray(image.convert("L"), dtype=np.float32) / np.float32(255)
    grey = np.clip(grey, 0, 1)
    if alpha is not None and alpha.min() < 1:
        grey = _flatten_alpha(grey, alpha)
    return np.ascontiguousarray(grey, dtype=np.float32)


def _flatten_alpha(grey: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """Composite ``grey`` onto the paper colour (see the module's docstring)."""
    if (alpha > 0.5).mean() < 0.5:  # strokes on a clear sheet
        weight = float(alpha.sum())
        stroke = float((grey * alpha).sum() / weight) if weight > 0 else 0.0
        paper = 1.0 if stroke < 0.5 else 0.0
    else:  # a sheet with clear margins
        paper = float(np.median(grey[alpha > 0.5]))
    return alpha * grey + (1 - alpha) * np.float32(paper)
