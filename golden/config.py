"""The one configuration object that flows from golden to RTL to cosim to SPICE.

A :class:`NetConfig` names a fully connected net (its shape string, hidden
activation and output loss), the fixed-point number formats the hardware uses
(:class:`FixedFormat`), the number of MAC lanes of the RTL, and the seed.  It is
frozen and validated on construction, and round-trips through JSON
(:meth:`NetConfig.to_json` / :meth:`NetConfig.from_json`) so that the cocotb
process receives exactly the object the golden model used.

Errors are :class:`ConfigError` with a one-line message that says what is wrong
and how to mend it.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from .errors import UserError

__all__ = ["ConfigError", "FixedFormat", "NetConfig", "parse_shape",
           "HIDDEN_ACTIVATIONS", "LOSSES"]

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "leaky-relu")
LOSSES = ("mse", "softmax-ce", "sigmoid-ce")


class ConfigError(UserError, ValueError):
    """A configuration value is impossible; the message says which and how to fix it."""


def parse_shape(text: str) -> tuple[int, ...]:
    """Parse a shape string such as ``"784-64-10"`` into a tuple of layer widths."""
    if isinstance(text, (tuple, list)):
        parts = list(text)
    else:
        parts = str(text).strip().split("-")
    try:
        widths = tuple(int(p) for p in parts)
    except ValueError:
        raise ConfigError(f"net shape {text!r} is not a dash-separated list of integers; "
                          f"write it like 784-64-10") from None
    if len(widths) < 2:
        raise ConfigError(f"net shape {text!r} needs at least an input and an output layer, "
                          f"e.g. 2-2-1")
    if any(w < 1 for w in widths):
        raise ConfigError(f"net shape {text!r} has a layer of width < 1; every width must be >= 1")
    if any(w > 65536 for w in widths):
        raise ConfigError(f"net shape {text!r} has a layer wider than 65536; use smaller widths")
    return widths


@dataclass(frozen=True)
class FixedFormat:
    """Fixed-point formats of the bit-exact mode (the arithmetic the RTL implements).

    All signed quantities are two's complement; every narrowing step rounds half
    up (add half an LSB, then arithmetic shift right) and saturates to the
    target range, never wraps.

    Attributes
    ----------
    w_bits, w_frac : int
        Weights and biases: signed ``w_bits`` wide with ``w_frac`` fraction bits.
    a_frac : int
        Activations (and inputs): unsigned, ``a_frac`` bits, value ``code / 2**a_frac``
        in ``[0, 1)``; also the resolution of the MTJ emulator's probability.
    e_bits, e_frac : int
        Back-propagated errors (deltas): signed ``e_bits`` wide, ``e_frac`` fraction bits.
    acc_bits : int
        Width of every saturating accumulator (forward and backward sums).
    z_bits, z_frac : int
        Sigmoid lookup-table address: the pre-activation saturated to signed
        ``z_bits`` with ``z_frac`` fraction bits; the table has ``2**z_bits`` entries.
    lr_shift : int
        Learning rate ``2**-lr_shift`` (a shift, not a multiplication).
    """

    w_bits: int = 16
    w_frac: int = 12
    a_frac: int = 8
    e_bits: int = 16
    e_frac: int = 13
    acc_bits: int = 40
    z_bits: int = 10
    z_frac: int = 6
    lr_shift: int = 4

    def __post_init__(self):
        def need(ok, what, fix):
            if not ok:
                raise ConfigError(f"fixed-point format: {what}; {fix}")
        need(2 <= self.w_bits <= 32, f"w_bits={self.w_bits} is out of range", "use 2..32")
        need(0 <= self.w_frac < self.w_bits, f"w_frac={self.w_frac} is out of range",
             f"use 0..{self.w_bits - 1} (fewer fraction bits than w_bits)")
        need(1 <= self.a_frac <= 16, f"a_frac={self.a_frac} is out of range", "use 1..16")
        need(2 <= self.e_bits <= 32, f"e_bits={self.e_bits} is out of range", "use 2..32")
        need(0 <= self.e_frac < self.e_bits + 8, f"e_frac={self.e_frac} is out of range",
             f"use 0..{self.e_bits + 7}")
        need(self.w_bits + self.e_bits <= self.acc_bits <= 64,
             f"acc_bits={self.acc_bits} is out of range",
             f"use {self.w_bits + self.e_bits}..64 (at least w_bits + e_bits)")
        need(self.w_bits + self.a_frac + 1 <= self.acc_bits,
             f"acc_bits={self.acc_bits} cannot hold a weight x activation product",
             f"use at least {self.w_bits + self.a_frac + 1}")
        need(3 <= self.z_bits <= 14, f"z_bits={self.z_bits} is out of range",
             "use 3..14 (the sigmoid table has 2**z_bits entries)")
        need(0 <= self.z_frac < self.z_bits, f"z_frac={self.z_frac} is out of range",
             f"use 0..{self.z_bits - 1}")
        need(self.z_frac <= self.w_frac + self.a_frac,
             f"z_frac={self.z_frac} exceeds the accumulator's fraction bits "
             f"{self.w_frac + self.a_frac}", "lower z_frac")
        need(0 <= self.lr_shift <= 24, f"lr_shift={self.lr_shift} is out of range", "use 0..24")

    # Derived ranges, for golden and RTL alike.
    @property
    def w_min(self) -> int: return -(1 << (self.w_bits - 1))
    @property
    def w_max(self) -> int: return (1 << (self.w_bits - 1)) - 1
    @property
    def e_min(self) -> int: return -(1 << (self.e_bits - 1))
    @property
    def e_max(self) -> int: return (1 << (self.e_bits - 1)) - 1
    @property
    def a_max(self) -> int: return (1 << self.a_frac) - 1
    @property
    def acc_min(self) -> int: return -(1 << (self.acc_bits - 1))
    @property
    def acc_max(self) -> int: return (1 << (self.acc_bits - 1)) - 1
    @property
    def z_min(self) -> int: return -(1 << (self.z_bits - 1))
    @property
    def z_max(self) -> int: return (1 << (self.z_bits - 1)) - 1
    @property
    def lr(self) -> float: return 2.0 ** -self.lr_shift


@dataclass(frozen=True)
class NetConfig:
    """A fully connected p-GAF net and the number formats it is trained with.

    Parameters
    ----------
    shape : str or tuple of int
        Layer widths, input first: ``"2-2-1"``, ``"784-64-10"``, ...
    act : str
        Hidden activation: ``"sigmoid"`` (default, the MTJ's native curve), ``"tanh"``
        or ``"leaky-relu"``.
    loss : str
        ``"mse"`` (sigmoid output, squared error: the paper's XOR loss),
        ``"softmax-ce"`` (softmax output, cross-entropy: the paper's MNIST loss) or
        ``"sigmoid-ce"`` (one sigmoid per output with cross-entropy, delta = y - t:
        the fixed-point mode's multi-class loss, no exponentials or divisions).
    fixed : FixedFormat
        Formats of the bit-exact mode and of the RTL.
    lanes : int
        Parallel MAC lanes of the RTL (>= 1).
    seed : int
        Seed of everything random (initial weights, MTJ samples, data order).
    """

    shape: tuple = (2, 2, 1)
    act: str = "sigmoid"
    loss: str = "mse"
    fixed: FixedFormat = field(default_factory=FixedFormat)
    lanes: int = 1
    seed: int = 1

    def __post_init__(self):
        object.__setattr__(self, "shape", parse_shape(self.shape))
        if isinstance(self.fixed, dict):
            object.__setattr__(self, "fixed", FixedFormat(**self.fixed))
        if self.act not in HIDDEN_ACTIVATIONS:
            raise ConfigError(f"unknown activation {self.act!r}; choose one of "
                              f"{', '.join(HIDDEN_ACTIVATIONS)}")
        if self.loss not in LOSSES:
            raise ConfigError(f"unknown loss {self.loss!r}; choose one of {', '.join(LOSSES)}")
        if self.loss == "softmax-ce" and self.shape[-1] < 2:
            raise ConfigError(f"softmax-ce needs at least 2 outputs, the shape "
                              f"{self.shape_str} has {self.shape[-1]}; use loss mse")
        if not (isinstance(self.lanes, int) and 1 <= self.lanes <= 64):
            raise ConfigError(f"lanes={self.lanes!r} is out of range; use an integer 1..64")
        if not (isinstance(self.seed, int) and 0 <= self.seed < 2**63):
            raise ConfigError(f"seed={self.seed!r} must be an integer 0..2**63-1")

    @property
    def shape_str(self) -> str:
        return "-".join(str(w) for w in self.shape)

    @property
    def n_weights(self) -> int:
        """Weights and biases in all layers."""
        return sum((a + 1) * b for a, b in zip(self.shape[:-1], self.shape[1:]))

    @property
    def n_hidden(self) -> int:
        return sum(self.shape[1:-1])

    def replace(self, **changes) -> "NetConfig":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["shape"] = self.shape_str
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict) -> "NetConfig":
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ConfigError(f"unknown config keys {sorted(unknown)}; known keys are {sorted(known)}")
        d = dict(d)
        if "fixed" in d and isinstance(d["fixed"], dict):
            fknown = {f.name for f in dataclasses.fields(FixedFormat)}
            funknown = set(d["fixed"]) - fknown
            if funknown:
                raise ConfigError(f"unknown fixed-point keys {sorted(funknown)}; "
                                  f"known keys are {sorted(fknown)}")
            d["fixed"] = FixedFormat(**d["fixed"])
        return cls(**d)

    @classmethod
    def from_json(cls, text: str) -> "NetConfig":
        try:
            d = json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigError(f"config is not valid JSON ({e.msg} at line {e.lineno}); "
                              f"fix the file or regenerate it") from None
        if not isinstance(d, dict):
            raise ConfigError("config JSON must be an object of keys shape, act, loss, fixed, lanes, seed")
        return cls.from_dict(d)

    @classmethod
    def load(cls, path) -> "NetConfig":
        try:
            with open(path) as f:
                text = f.read()
        except OSError as e:
            raise ConfigError(f"cannot read config file {path}: {e.strerror}") from None
        return cls.from_json(text)
