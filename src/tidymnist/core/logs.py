"""Logging for workflow steps: progress to the rule's log file, errors to the terminal too."""

import contextlib
import logging
import os
import sys
from collections.abc import Iterator

from tidymnist.core.errors import TidyMnistError

log = logging.getLogger("tidymnist")


@contextlib.contextmanager
def logged(path: str | os.PathLike) -> Iterator[logging.Logger]:
    """Send tidymnist's log records to ``path`` (and errors to stderr) while the block runs.

    The project's own errors, which already say what is wrong, end the step with their message
    and exit status 1 instead of a traceback.
    """
    file_handler = logging.FileHandler(path, mode="w")
    file_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    err_handler = logging.StreamHandler(sys.stderr)
    err_handler.setLevel(logging.ERROR)
    err_handler.setFormatter(logging.Formatter("tidymnist error: %(message)s"))
    log.setLevel(logging.INFO)
    log.addHandler(file_handler)
    log.addHandler(err_handler)
    try:
        yield log
    except TidyMnistError as error:
        log.error("%s", error)
        sys.exit(1)
    finally:
        log.removeHandler(file_handler)
        log.removeHandler(err_handler)
        file_handler.close()
