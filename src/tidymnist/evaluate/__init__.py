"""Tidy evaluation tables, sweeps and predictions from trained models."""
