"""Passive dendrites from geometry and membrane physiology.

A cylinder of length L and diameter d has membrane capacitance ``c_m*pi*d*L``,
leak conductance ``pi*d*L/r_m`` and axial conductance to the soma
``pi*d**2/(4*r_i*L)``. These are subexpressions of the model, so the geometry
stays a pair of parameters with units that can differ per neuron.
"""

from __future__ import annotations

from snnzoo import Parameter
from snnzoo.errors import ConfigError
from snnzoo.units import positive_si

#: Human cortical dendrite (Eyal et al. 2016), as SNN.jl's ``human_dend``.
HUMAN = {
    "c_m": Parameter("0.5 uF/cm**2", "specific membrane capacitance", positive=True),
    "r_m": Parameter("38907 ohm*cm**2", "specific membrane resistance", positive=True),
    "r_i": Parameter("200 ohm*cm", "axial resistivity", positive=True),
}


def dendrite_equations(name: str, length: str, diameter: str) -> tuple[list[str], dict]:
    """Subexpressions and geometry parameters of dendrite ``name`` (e.g. ``"d"``).

    ``length`` and ``diameter`` must be positive lengths (``"160 um"``); anything else is an
    error naming the dendrite and the parameter.
    """
    if not isinstance(name, str) or not name.isidentifier() or name == "s":
        raise ConfigError(f"dendrite name {name!r}: expected an identifier other than 's' (the soma)")
    for what, value in (("length", length), ("diameter", diameter)):
        positive_si(value, "m", what=f"dendrite {name!r}: {what} (parameter '{what}_{name}')")
    equations = [
        f"C_{name} = c_m*pi*diameter_{name}*length_{name} : farad",
        f"gm_{name} = pi*diameter_{name}*length_{name}/r_m : siemens",
        f"gax_{name} = pi*diameter_{name}**2/(4*r_i*length_{name}) : siemens",
    ]
    parameters = {
        f"length_{name}": Parameter(length, f"length of dendrite {name}", positive=True),
        f"diameter_{name}": Parameter(diameter, f"diameter of dendrite {name}", positive=True),
    }
    return equations, parameters
