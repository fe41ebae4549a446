"""The targets: a checked graph lowered to structured torch pieces, the PyTorch module
and the Keras builder rendered as source, and that source loaded."""
