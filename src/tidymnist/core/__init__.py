"""Conventions every stage shares: the pixel grid, labels, naming of models, errors, config,
logs."""
