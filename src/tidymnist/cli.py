"""The ``tidymnist`` command: the user's door to the trained models outside Snakemake.

``tidymnist predict PATH...`` reads every image named (files, or folders searched for images),
brings each to MNIST's format and prints what every trained model makes of it. A file that
cannot be read gets its own ``error: PATH: ...`` line on stderr and the others are still done.
Exit codes: 0 all done, 1 some file failed, 2 a usage error or no trained models.
"""

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from tidymnist.core.errors import TidyMnistError

EXIT_OK, EXIT_FILE_FAILED, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subcommand per action (others add theirs here)."""
    parser = argparse.ArgumentParser(
        prog="tidymnist", description="A tidy, reproducible analysis of handwritten digits."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    predict = commands.add_parser(
        "predict",
        help="what every trained model makes of your own images of digits",
        description="Bring each image to MNIST's 28 x 28 format and print every trained "
        "model's prediction and its probability.",
    )
    predict.add_argument("paths", nargs="+", metavar="PATH", help="image files or folders")
    predict.add_argument(
        "--models",
        default="results/models",
        metavar="DIR",
        help="folder of the models the workflow trained (default: %(default)s)",
    )
    predict.add_argument(
        "--format",
        choices=("table", "csv", "json"),
        default="table",
        help="table: one line per image; csv, json: one record per image per model",
    )
    predict.add_argument("--output", metavar="FILE", help="write here instead of to stdout")
    predict.set_defaults(run=run_predict)
    serve = commands.add_parser(
        "serve",
        help="a local page to draw a digit and watch every trained model answer",
        description="Serve the draw-a-digit page on this computer; the page sends each drawing "
        "to the server, which answers with every trained model (k-NN, SVM and the CNN too).",
    )
    serve.add_argument(
        "--models",
        default="results/models",
        metavar="DIR",
        help="folder of the models the workflow trained (default: %(default)s)",
    )
    serve.add_argument("--page", metavar="FILE", help="serve this page instead of building one")
    serve.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default: %(default)s, this computer only)",
    )
    serve.add_argument("--port", type=int, default=8000, help="(default: %(default)s)")
    serve.add_argument(
        "--max-bytes",
        type=int,
        default=2_000_000,
        help="largest upload accepted, in bytes (default: %(default)s)",
    )
    serve.set_defaults(run=run_serve)
    return parser


def run_serve(args: argparse.Namespace) -> int:
    """``tidymnist serve``: run the local server until Ctrl-C."""
    from tidymnist.web.serve import serve  # noqa: PLC0415 (only this command needs the server)

    try:
        serve(args.models, args.page, args.host, args.port, args.max_bytes)
    except TidyMnistError as error:
        _error(str(error))
        return 2
    except KeyboardInterrupt:
        pass
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:  # argparse exits on --help (0) and on usage errors (2)
        return int(exit_.code or 0)
    return args.run(args)


def _error(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def run_predict(args: argparse.Namespace) -> int:
    """``tidymnist predict``: see the module docstring."""
    # Imported here so that `tidymnist --help` stays fast.
    from tidymnist.evaluate.predict import predict_table  # noqa: PLC0415
    from tidymnist.handwriting.preprocess import to_mnist  # noqa: PLC0415
    from tidymnist.io.images import find_images, read_image  # noqa: PLC0415
    from tidymnist.models.trained import load_trained_models  # noqa: PLC0415

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("default")  # a skipped CNN is said once, not raised
            models = load_trained_models(args.models)
    except TidyMnistError as error:
        _error(str(error))
        return EXIT_USAGE
    failed = False
    files, images = [], []
    for path in args.paths:
        try:
            found = find_images([path])
        except TidyMnistError as error:
            _error(str(error))
            failed = True
            continue
        for file in found:
            try:
                images.append(to_mnist(read_image(file)))
            except TidyMnistError as error:
                message = str(error)
                _error(message if message.startswith(str(file)) else f"{file}: {message}")
                failed = True
            else:
                files.append(str(file))
    stack = np.stack(images) if images else np.zeros((0, 28, 28), np.uint8)
    table = predict_table(models, stack, files)
    text = _format(table, args.format, list(models))
    try:
        if args.output:
            Path(args.output).write_text(text)
        else:
            sys.stdout.write(text)
    except OSError as error:
        _error(f"{args.output}: cannot write ({error.strerror})")
        return EXIT_USAGE
    return EXIT_FILE_FAILED if failed else EXIT_OK


def _format(table: pl.DataFrame, kind: str, models: list[str]) -> str:
    if kind == "csv":
        return table.write_csv()
    if kind == "json":
        return table.write_json() + "\n"
    return _aligned(table, models)


def _aligned(table: pl.DataFrame, models: list[str]) -> str:
    """One line per image, a column per model: ``7 (0.98)``, or ``7`` without probabilities."""
    cells = table.with_columns(
        answer=pl.when(pl.col("probability").is_null())
        .then(pl.col("prediction").cast(pl.String))
        .otherwise(pl.format("{} ({})", "prediction", pl.col("probability").round(2)))
    )
    header = ["file", *models]
    rows = [
        [file, *[answers.get(model, "") for model in models]]
        for file, answers in (
            (file, dict(zip(group["model"], group["answer"], strict=True)))
            for (file,), group in cells.group_by("file", maintain_order=True)
        )
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    return "".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        + "\n"
        for row in [header, *rows]
    )


if __name__ == "__main__":
    sys.exit(main())
