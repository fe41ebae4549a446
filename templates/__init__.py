"""jinja2 skeletons of generated files (package data, found with importlib.resources)."""
