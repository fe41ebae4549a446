"""Weights: declared Keras weights found in Keras models, moved to and from torch
tensors through their transfers, and read from and written to files."""
