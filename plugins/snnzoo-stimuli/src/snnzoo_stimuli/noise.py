"""Noisy currents: Gaussian white current noise and Ornstein-Uhlenbeck input."""

from __future__ import annotations

from typing import Any

import numpy as np

from snnzoo.errors import ConfigError
from snnzoo.language.stimulus import NO_UNIT, TARGET_UNIT, GaussianDrive, OUDrive, Setting
from snnzoo.units import positive_si, show

from .currents import per_neuron_si, provenance_value


class NoiseCurrent:
    """``mean + N(0, std)`` drawn independently for each neuron at every step
    (SNN.jl's CurrentNoiseParameter: I_base plus a normal distribution)."""

    name = "noise_current"
    description = "Gaussian current noise: mean + N(0, std) every step"
    example = {"mean": "0.1 nA", "std": "0.05 nA"}
    """Settings that make a small working instance (the conformance kit uses them)."""
    setting_specs = {"mean": Setting(TARGET_UNIT, "the mean, one or one per neuron"),
                     "std": Setting(TARGET_UNIT, "the standard deviation of each step's draw, >= 0")}

    def __init__(self, mean: Any, std: Any):
        self.mean, self.std = mean, std

    def drives(self, size: int, unit) -> list:
        return [GaussianDrive(per_neuron_si(self.mean, unit, size, what=f"{self.name}: mean"),
                              per_neuron_si(self.std, unit, size, what=f"{self.name}: std", sign="non-negative"))]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.name, "mean": provenance_value(self.mean), "std": provenance_value(self.std)}


class OUCurrent:
    """An Ornstein-Uhlenbeck input with ``mean``, stationary standard deviation ``sigma`` and
    time constant ``tau``; ``shared = true`` feeds one process to every neuron (frozen common input)."""

    name = "ou_current"
    description = "Ornstein-Uhlenbeck input, independent per neuron or shared by all"
    example = {"mean": "0.1 nA", "sigma": "0.05 nA", "tau": "5 ms"}
    """Settings that make a small working instance (the conformance kit uses them)."""
    setting_specs = {"mean": Setting(TARGET_UNIT, "the mean, one or one per neuron"),
                     "sigma": Setting(TARGET_UNIT, "the stationary standard deviation, >= 0"),
                     "tau": Setting("s", "the time constant, > 0"),
                     "shared": Setting(NO_UNIT, "true: one process for every neuron")}

    def __init__(self, mean: Any, sigma: Any, tau: Any, shared: bool = False):
        if not isinstance(shared, (bool, np.bool_)):
            raise ConfigError(f"{self.name}: shared: expected true or false, got {show(shared)}")
        self.mean, self.sigma, self.tau, self.shared = mean, sigma, tau, bool(shared)

    def drives(self, size: int, unit) -> list:
        mean = per_neuron_si(self.mean, unit, size, what=f"{self.name}: mean")
        sigma = per_neuron_si(self.sigma, unit, size, what=f"{self.name}: sigma", sign="non-negative")
        if self.shared and max(mean.size, sigma.size) > 1:
            raise ConfigError(f"{self.name}: shared = true feeds one process to every neuron, so mean and sigma are "
                              f"one value each; got {mean.size} mean(s) and {sigma.size} sigma(s)")
        return [OUDrive(mean, sigma, positive_si(self.tau, "s", what=f"{self.name}: tau"), self.shared)]

    def to_dict(self) -> dict[str, Any]:
        return {"type": self.name, "mean": provenance_value(self.mean), "sigma": provenance_value(self.sigma), "tau": provenance_value(self.tau),
                "shared": self.shared}
