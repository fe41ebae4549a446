"""From PyTorch: the importer (`trace`), what its matchers see and say (`reverse`), and
the conversion of a module into a spec with Keras weights (`convert`). Kept light: the
kinds' families import `reverse` when they load."""
