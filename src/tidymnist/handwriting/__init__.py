"""A person's own digits: any image to MNIST's format, and the custom-digit tables."""
