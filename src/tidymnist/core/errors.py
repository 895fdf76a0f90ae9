"""The project's own errors: each names the file or key at fault and what was expected."""


class TidyMnistError(Exception):
    """Base class for every error tidymnist raises on purpose."""


class DataFileError(TidyMnistError, ValueError):
    """A data file is missing, truncated, of the wrong format or fails its checksum."""

    def __init__(self, path, problem: str):
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class DownloadError(TidyMnistError, OSError):
    """No mirror gave a file with the expected checksum."""
