"""The tidy tables: pixels, centroids, distances, pairwise maps, label summaries, value counts."""
