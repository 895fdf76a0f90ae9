"""Reading custom images: every mode Pillow hands us, and hostile files refused by name."""

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tidymnist.io.images import (
    MAX_PIXELS,
    ImageFileError,
    find_images,
    read_image,
    read_image_bytes,
)


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def crafted_png(width: int, height: int, bit_depth: int = 1, rows: int = 1) -> bytes:
    """A greyscale PNG whose header claims ``width`` x ``height``, with ``rows`` rows of zeros:
    costs nothing to make, whatever it claims."""
    header = struct.pack(">IIBBBBB", width, height, bit_depth, 0, 0, 0, 0)
    row = b"\x00" + bytes(-(-width * bit_depth // 8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(row * rows))
        + png_chunk(b"IEND", b"")
    )


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def digit_like(size=(40, 30)) -> np.ndarray:
    """A dark cross on white paper, as luminance 0-1."""
    grey = np.ones(size)
    grey[size[0] // 2 - 2 : size[0] // 2 + 2, 5:-5] = 0.0
    grey[5:-5, size[1] // 2 - 2 : size[1] // 2 + 2] = 0.0
    return grey


def test_greyscale_png_reads_as_luminance_in_0_1(tmp_path):
    grey = digit_like()
    path = tmp_path / "cross.png"
    Image.fromarray(np.uint8(grey * 255)).save(path)
    read = read_image(path)
    assert read.dtype == np.float32
    assert read.shape == (40, 30)
    np.testing.assert_array_equal(read, grey)


def test_rgb_cmyk_palette_and_1_bit_agree_with_greyscale():
    grey = digit_like()
    rgb = Image.fromarray(np.uint8(np.stack([grey * 255] * 3, axis=-1)))
    for image, fmt in [
        (rgb, "PNG"),
        (rgb.convert("P"), "PNG"),
        (rgb.convert("1"), "PNG"),
        (rgb.convert("CMYK"), "JPEG"),
        (rgb, "BMP"),
        (rgb, "WEBP"),
    ]:
        read = read_image_bytes(
            encoded(image, fmt, **({"quality": 95} if fmt == "JPEG" else {})), f"x.{fmt}"
        )
        tolerance = 0.1 if fmt in ("JPEG", "WEBP") else 0.0
        assert np.abs(read - grey).mean() <= tolerance / 4, (image.mode, fmt)
        assert read[20, 15] < 0.1 and read[2, 2] > 0.9, (image.mode, fmt)


def test_16_bit_png_is_scaled_by_65535():
    values = np.full((10, 12), 65535, np.uint16)
    values[3:7, 2:10] = 16384
    read = read_image_bytes(encoded(Image.fromarray(values)), "deep.png")
    assert read[0, 0] == pytest.approx(1.0)
    assert read[5, 5] == pytest.approx(16384 / 65535)


@pytest.mark.parametrize("stroke", [0, 255])
def test_strokes_on_a_transparent_sheet_stay_visible(stroke):
    """RGB under transparent pixels is often black: compositing must not hide black strokes."""
    rgba = np.zeros((30, 30, 4), np.uint8)  # fully transparent black
    rgba[10:20, 14:16] = (stroke, stroke, stroke, 255)
    read = read_image_bytes(encoded(Image.fromarray(rgba, "RGBA")), "clear.png")
    paper = 1.0 if stroke == 0 else 0.0
    assert read[0, 0] == pytest.approx(paper)
    assert read[15, 15] == pytest.approx(stroke / 255)


def test_opaque_sheet_with_clear_margins_takes_the_sheet_colour():
    rgba = np.zeros((30, 30, 4), np.uint8)
    rgba[2:-2, 2:-2] = (230, 230, 230, 255)  # light paper
    rgba[10:20, 14:16] = (20, 20, 20, 255)  # dark ink
    read = read_image_bytes(encoded(Image.fromarray(rgba, "RGBA")), "margins.png")
    assert read[0, 0] == pytest.approx(230 / 255)
    assert read[15, 15] == pytest.approx(20 / 255)


def test_palette_with_a_transparent_index():
    image = Image.new("P", (20, 20), 0)
    image.putpalette([0, 0, 0, 255, 255, 255] + [0] * 762)
    image.paste(1, (5, 5, 15, 15))  # white strokes...
    data = encoded(image, transparency=0)  # ...on a clear sheet of (black) index 0
    read = read_image_bytes(data, "palette.png")
    assert read[0, 0] == pytest.approx(0.0) and read[10, 10] == pytest.approx(1.0)


def test_exif_orientation_of_phone_photos_is_applied():
    grey = np.full((20, 40), 255, np.uint8)
    grey[:5, :5] = 0  # a dark block in the top-left corner, as stored
    exif = Image.Exif()
    exif[0x0112] = 6  # stored rotated: display turned 90 degrees clockwise
    read = read_image_bytes(encoded(Image.fromarray(grey), "JPEG", exif=exif), "phone.jpg")
    assert read.shape == (40, 20)
    assert read[:5, -5:].mean() < 0.2  # the block is now top-right
    assert read[:5, :5].mean() > 0.8


def test_an_animation_gives_its_first_frame():
    frames = [Image.new("L", (10, 10), value) for value in (0, 255)]
    data = encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert read_image_bytes(data, "anim.gif").max() == 0.0


def test_large_images_are_reduced_while_read():
    data = encoded(Image.new("L", (5000, 1000), 255))  # by a whole factor, 3, to <= 2048 px
    assert read_image_bytes(data, "wide.png").shape == (334, 1667)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty file"),
        (b"hello, I am text, not a picture\n", "not an image"),
        (crafted_png(20_000, 20_000), "decompression bomb refused"),  # Pillow's own limit
        (
            crafted_png(8_000, 6_000, bit_depth=8, rows=6_000),  # 47 KB, 48 MB decoded
            r"decompression bomb refused: 8000 x 6000 pixels \(48 mega",
        ),
    ],
    ids=["empty", "text", "20000x20000", "48-megapixels"],
)
def test_hostile_bytes_are_refused_by_name(data, message):
    with pytest.raises(ImageFileError, match=rf"^upload\.png: {message}"):
        read_image_bytes(data, "upload.png")


def test_the_pixel_limit_is_checked_from_the_header_before_decoding():
    # claims 48 MP but holds one row: decoding would fail; the size check must come first
    with pytest.raises(ImageFileError, match="megapixels"):
        read_image_bytes(crafted_png(8_000, 6_000, bit_depth=8, rows=1), "bomb.png")
    assert MAX_PIXELS < 8_000 * 6_000


@pytest.mark.parametrize("fmt", ["PNG", "JPEG"])
def test_truncated_files_are_refused_not_loaded_in_part(fmt):
    noise = np.random.default_rng(0).integers(0, 256, (200, 200), dtype=np.uint8)
    data = encoded(Image.fromarray(noise), fmt)
    with pytest.raises(ImageFileError, match=r"^cut: (corrupt or truncated|not an image)"):
        read_image_bytes(data[: len(data) * 2 // 3], "cut")


def test_a_png_with_a_bad_checksum_is_refused():
    data = bytearray(encoded(Image.fromarray(np.zeros((8, 8), np.uint8))))
    data[-20] ^= 0xFF  # inside IDAT
    with pytest.raises(ImageFileError, match="corrupt or truncated"):
        read_image_bytes(bytes(data), "flipped.png")


def test_read_image_names_the_file(tmp_path):
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(ImageFileError, match=rf"^{text}: not an image"):
        read_image(text)
    with pytest.raises(ImageFileError, match="file not found"):
        read_image(tmp_path / "missing.png")
    with pytest.raises(ImageFileError, match="is a folder"):
        read_image(tmp_path)


def test_find_images_searches_folders_recursively_in_order(tmp_path):
    for name in ["b.png", "a.JPG", "sub/c.png", "notes.txt", ".hidden/d.png", ".e.png"]:
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"x")
    given = tmp_path / "notes.txt"
    assert find_images([tmp_path, given]) == [
        tmp_path / "a.JPG",
        tmp_path / "b.png",
        tmp_path / "sub" / "c.png",
        given,  # a file named explicitly is taken whatever its suffix
    ]
    with pytest.raises(ImageFileError, match="no such file or folder"):
        find_images([tmp_path / "nowhere"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ImageFileError, match="no image files"):
        find_images([tmp_path / "empty"])
