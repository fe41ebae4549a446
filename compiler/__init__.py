"""The targets: Keras and PyTorch emitters, weights, parity and the command line.
Frameworks are imported inside the functions that need them, never at module level."""
