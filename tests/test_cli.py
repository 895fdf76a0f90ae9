"""``tidymnist predict``: every model's answer per image, and bad files that stop nothing."""

import io
import json
import struct
import subprocess
import sys
import zlib

import numpy as np
import polars as pl
import pytest
from PIL import Image

from tidymnist.cli import main
from tidymnist.io.dataset import load_split
from tidymnist.io.models import save_model
from tidymnist.models.pipelines import fit_model

MODELS = ("nearest_centroid", "logistic_regression")


@pytest.fixture(scope="module")
def models_dir(test_data_dir, tmp_path_factory):
    """Two small models trained on the synthetic digits, saved as the workflow saves them."""
    train = load_split(test_data_dir, "train")
    folder = tmp_path_factory.mktemp("models")
    for name, spec in [("nearest_centroid", {}), ("logistic_regression", {"max_iter": 50})]:
        model, _ = fit_model(name, {"C": 0.1, **spec}, 0, train.images, train.labels)
        save_model(model, folder / f"{name}.skops", {"model": name})
    return folder


def as_photo(digit: np.ndarray, side: int = 112) -> Image.Image:
    """A synthetic digit as dark ink on light, slightly uneven paper, enlarged."""
    ink = np.asarray(Image.fromarray(digit).resize((side, side), Image.Resampling.BICUBIC)) / 255
    paper = np.linspace(0.95, 0.8, side)[None, :] * np.ones((side, 1))
    return Image.fromarray(np.uint8(255 * paper * (1 - 0.9 * np.clip(ink, 0, 1))))


def crafted_png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def images(test_data_dir, tmp_path_factory):
    """Good digits in several encodings, and hostile files, in one folder; and the labels."""
    test = load_split(test_data_dir, "test")
    folder = tmp_path_factory.mktemp("custom")
    labels = {}
    for index, name in enumerate(["grey.png", "cmyk.jpg", "palette.png", "deep.png"]):
        photo = as_photo(test.images[index])
        if name == "cmyk.jpg":
            photo.convert("CMYK").save(folder / name, quality=95)
        elif name == "palette.png":
            photo.convert("P").save(folder / name)
        elif name == "deep.png":
            Image.fromarray(np.asarray(photo).astype(np.uint16) * 257).save(folder / name)
        else:
            photo.save(folder / name)
        labels[name] = int(test.labels[index])
    # strokes on a transparent sheet (black under the clear pixels)
    alpha = np.asarray(as_photo(test.images[4]))
    rgba = np.zeros((*alpha.shape, 4), np.uint8)
    rgba[..., 3] = 255 - alpha
    Image.fromarray(rgba, "RGBA").save(folder / "alpha.png")
    labels["alpha.png"] = int(test.labels[4])
    # the hostile ones
    (folder / "empty.png").write_bytes(b"")
    (folder / "text.png").write_text("not an image\n")
    buffer = io.BytesIO()
    as_photo(test.images[5]).save(buffer, "PNG")
    (folder / "truncated.png").write_bytes(buffer.getvalue()[:-200])
    (folder / "huge.png").write_bytes(crafted_png(20_000, 20_000))
    Image.new("L", (300, 200), 240).save(folder / "white.png")
    return folder, labels


BAD = {
    "empty.png": "empty file",
    "text.png": "not an image",
    "truncated.png": "corrupt or truncated",
    "huge.png": "decompression bomb",
    "white.png": "no ink found",
}


def test_bad_files_are_reported_one_by_one_and_stop_nothing(models_dir, images, capsys):
    folder, labels = images
    code = main(["predict", str(folder), "--models", str(models_dir), "--format", "csv"])
    out, err = capsys.readouterr()
    assert code == 1
    table = pl.read_csv(io.StringIO(out))
    assert table.columns == ["file", "model", "base_model", "variant", "prediction", "probability"]
    # every good file, in sorted order, once per model
    assert table["file"].to_list() == [str(folder / n) for n in sorted(labels) for _ in MODELS]
    assert table["model"].to_list() == list(MODELS) * len(labels)
    truth = pl.DataFrame(
        {"file": [str(folder / n) for n in labels], "label": list(labels.values())}
    )
    right = table.join(truth, on="file").filter(pl.col("prediction") == pl.col("label"))
    assert right.filter(pl.col("model") == "logistic_regression").height >= len(labels) - 1
    lines = err.strip().splitlines()
    assert len(lines) == len(BAD)
    for name, message in BAD.items():
        assert any(line.startswith(f"error: {folder / name}: {message}") for line in lines), name


def test_table_format_has_a_line_per_image_and_a_column_per_model(models_dir, images, capsys):
    folder, _ = images
    code = main(["predict", str(folder / "grey.png"), "--models", str(models_dir)])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    header, row = out.strip().splitlines()
    assert header.split() == ["file", *MODELS]
    cells = row.split()
    assert cells[0] == str(folder / "grey.png")
    assert all(c.isdigit() for c in cells[1::2])
    probabilities = [float(c.strip("()")) for c in cells[2::2]]
    assert all(0 < p <= 1 for p in probabilities)


def test_json_to_a_file_and_missing_paths(models_dir, images, tmp_path, capsys):
    folder, _ = images
    output = tmp_path / "out.json"
    code = main(
        [
            "predict",
            str(folder / "grey.png"),
            str(tmp_path / "nowhere.png"),
            "--models",
            str(models_dir),
            "--format",
            "json",
            "--output",
            str(output),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 1 and out == ""
    assert err.strip() == f"error: {tmp_path / 'nowhere.png'}: no such file or folder"
    records = json.loads(output.read_text())
    assert [r["model"] for r in records] == list(MODELS)
    assert set(records[0]) == {
        "file",
        "model",
        "base_model",
        "variant",
        "prediction",
        "probability",
    }


def test_no_models_and_usage_errors_exit_2(images, tmp_path, capsys):
    folder, _ = images
    assert main(["predict", str(folder), "--models", str(tmp_path)]) == 2
    assert "no trained models in" in capsys.readouterr().err
    assert main(["predict"]) == 2
    assert main(["predict", "x.png", "--format", "xml"]) == 2
    assert main([]) == 2


def test_python_dash_m_runs_the_same_command(models_dir, images):
    folder, _ = images
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "tidymnist",
            "predict",
            str(folder / "grey.png"),
            "--models",
            str(models_dir),
            "--format",
            "csv",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "file,model,base_model,variant,prediction,probability"
    assert len(run.stdout.splitlines()) == 1 + len(MODELS)
