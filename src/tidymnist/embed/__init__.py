"""The space of digits: PCA, t-SNE and placing new digits on the maps."""
