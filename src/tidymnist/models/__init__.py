"""The classifiers: scikit-learn pipelines, deskewing, augmentation, the CNN, saved models."""
