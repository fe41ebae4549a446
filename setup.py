"""Packaging: the repository's top folders become the one import package `nnspec`.

Packages are discovered, not listed: a folder with an `__init__.py` added under
`spec/`, `compiler/` or `templates/` installs without editing anything here. All
other metadata is in pyproject.toml."""

from setuptools import find_packages, setup

FOLDERS = {"nnspec": "api", "nnspec.spec": "spec", "nnspec.compiler": "compiler", "nnspec.templates": "templates"}


def packages() -> list[str]:
    found = []
    for package, folder in FOLDERS.items():
        found.append(package)
        if package != "nnspec":
            found += [f"{package}.{sub}" for sub in find_packages(folder)]
    return found


setup(package_dir=FOLDERS, packages=packages())
