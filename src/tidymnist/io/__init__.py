"""Reading and writing: the only code in tidymnist that opens files."""
