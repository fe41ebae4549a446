"""Training: the spec's compile_config and fit_config in Keras and as a generated
PyTorch loop, datasets, curves, and step-by-step training parity."""
