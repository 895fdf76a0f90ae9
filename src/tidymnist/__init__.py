"""tidymnist: a tidy, reproducible analysis of handwritten digits."""
