"""Operation counts of the gradient computation (the paper's Fig. 5G bookkeeping).

The counters are incremented by the code that does the arithmetic, right where it
runs (``ops.mul += rows.size``), never by a formula beside it.  The convention
(``docs/fixed-point.md``, "Op counts", adapted to float):

* a multiplier use is one ``mul``, an adder/subtractor use one ``add`` (a
  multiply-accumulate is one of each); one MTJ draw is one ``sample``;
* a gate is not a multiplication, and a skipped neuron costs nothing;
* output delta: ``softmax-ce`` 1 add per output (y - t); ``mse`` 2 mul + 2 add per
  output ((y - t) * y * (1 - y));
* hidden delta of a non-skipped neuron: ``|A|`` mul + ``|A|`` add over the active
  set ``A`` of the layer above; exact BP adds 2 mul + 1 add (sigmoid/tanh
  derivative and its product) or 1 mul (leaky-relu slope select, then product);
  a p-GAF estimate from more than two samples adds 1 mul (estimate x sum);
* float only: the learning rate is folded into the delta once per active neuron
  (1 mul), then the update of an active neuron with ``n`` inputs is ``n`` mul +
  ``n + 1`` add (weights and bias).
"""

from __future__ import annotations

from dataclasses import dataclass, asdict

__all__ = ["OpCounts"]


@dataclass
class OpCounts:
    """Running totals of the gradient computation's operations.

    Attributes
    ----------
    mul, add, sample : int
        Multiplications, additions/subtractions and MTJ samples.
    skipped : int
        Hidden neurons whose gate was 0 (no error propagated, no update).
    """

    mul: int = 0
    add: int = 0
    sample: int = 0
    skipped: int = 0

    def copy(self) -> "OpCounts":
        return OpCounts(**asdict(self))

    def as_dict(self) -> dict:
        return {"mul": int(self.mul), "add": int(self.add), "sample": int(self.sample),
                "skipped": int(self.skipped)}

    def __add__(self, other: "OpCounts") -> "OpCounts":
        return OpCounts(self.mul + other.mul, self.add + other.add,
                        self.sample + other.sample, self.skipped + other.skipped)

    def __sub__(self, other: "OpCounts") -> "OpCounts":
        return OpCounts(self.mul - other.mul, self.add - other.add,
                        self.sample - other.sample, self.skipped - other.skipped)
