"""The parameter naming convention of docs/naming.md, as data: what the conformance kit checks.

A quantity common to many models has one name (``C_m``, ``g_L``, ``V_th``...). A model's
parameter is unconventional when it has the dimension of one of these quantities and either
is one of its old names (``Vt``, ``gL``) or spells its name otherwise only in case and
underscores (``Vth``, ``E_l``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..language.model import NeuronModel
from ..units import parse_unit, ureg


@dataclass(frozen=True)
class CommonQuantity:
    """One row of the convention: the quantity, its name, its unit and the names it had before."""

    meaning: str
    name: str
    unit: str
    old_names: tuple[str, ...] = ()


CONVENTION = (
    CommonQuantity("membrane capacitance of the cell", "C_m", "F", ("C", "Cm")),
    CommonQuantity("specific membrane capacitance", "c_m", "F/m**2", ("Cm",)),
    CommonQuantity("leak conductance of the cell", "g_L", "S", ("gL", "gl")),
    CommonQuantity("leak reversal (resting) potential", "E_L", "V", ("EL", "El", "Er")),
    CommonQuantity("membrane resistance of the cell", "R_m", "ohm", ("R",)),
    CommonQuantity("specific membrane resistance", "r_m", "ohm*m**2", ("Rm",)),
    CommonQuantity("axial resistivity", "r_i", "ohm*m", ("Ri",)),
    CommonQuantity("membrane time constant", "tau_m", "s"),
    CommonQuantity("spike threshold", "V_th", "V", ("Vt", "VT", "Vt0")),
    CommonQuantity("spike detection (cut-off) potential", "V_spike", "V", ("Vcut", "Vspike", "Vs", "Vthr")),
    CommonQuantity("reset potential", "V_reset", "V", ("Vr",)),
    CommonQuantity("slope factor of the exponential", "Delta_T", "V", ("DeltaT",)),
    CommonQuantity("excitatory synaptic reversal potential", "E_e", "V", ("Ee",)),
    CommonQuantity("inhibitory synaptic reversal potential", "E_i", "V", ("Ei",)),
    CommonQuantity("sodium reversal potential", "E_Na", "V", ("ENa",)),
    CommonQuantity("potassium reversal potential", "E_K", "V", ("EK",)),
    CommonQuantity("subthreshold adaptation coupling", "a", "S"),
    CommonQuantity("spike-triggered adaptation increment", "b", "A"),
    CommonQuantity("adaptation time constant", "tau_w", "s"),
)


def _spelling(name: str) -> str:
    return name.replace("_", "").lower()


def conventional_name(parameter: str, unit) -> CommonQuantity | None:
    """The common quantity ``parameter`` (in ``unit``) should be called after, if its name is not that."""
    dimensionality = ureg.Quantity(1.0, unit).dimensionality
    for quantity in CONVENTION:
        if parameter == quantity.name:
            continue
        same_name = parameter in quantity.old_names or _spelling(parameter) == _spelling(quantity.name)
        if same_name and ureg.Quantity(1.0, parse_unit(quantity.unit, what="unit")).dimensionality == dimensionality:
            return quantity
    return None


def unconventional_parameters(model: NeuronModel, published: Iterable[str] = ()) -> list[str]:
    """One line per parameter of ``model`` that does not follow the convention, naming the conventional
    name; ``published`` lists names kept on purpose because they mean something else (hh_traub's ``VT``)."""
    problems = []
    for name, spec in model.parameters.items():
        quantity = conventional_name(name, spec.unit) if name not in set(published) else None
        if quantity is not None:
            problems.append(f"model {model.name!r}: parameter {name!r} does not follow the naming convention "
                            f"(docs/naming.md): the {quantity.meaning} is called {quantity.name!r}; rename it and "
                            f"keep the old name with aliases={{{name!r}: {quantity.name!r}}}, or, if it means "
                            f"something else, list it in check_plugin(..., published_names=...)")
    return problems
