"""The version of the installed snnzoo distribution (``snnzoo.__version__``), recorded in every result's provenance."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("snnzoo")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.1.0+source"
