"""Plugins (DESIGN.md layer 6): the hooks a plugin implements (:mod:`.hookspecs`), the typed
protocols its objects follow (:mod:`.protocols`), the registry they fill (:mod:`.registry`), the
loader that finds and loads entry points one by one (:mod:`.loader`, with its cached index
:mod:`.index`), the core's own plugins registered in code (:mod:`.builtin_integrators`,
:mod:`.builtin_catalog`), the naming convention (:mod:`.naming`) and the plugin template
(:mod:`.template`). The conformance kit for plugin authors is :mod:`snnzoo.testing`."""

from ..lazy import lazy_package

lazy_package(__name__, {})  # its submodules on first use: snnzoo.plugins.NAME after a bare import snnzoo
