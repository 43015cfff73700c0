"""pgaf: open hardware co-design kit for p-GAF backpropagation.

The repository's folders install under this one import name:
``pgaf.golden`` (NumPy golden model), ``pgaf.rtl`` (Amaranth RTL), ``pgaf.cosim``
(cocotb co-simulation), ``pgaf.spice`` (PySpice circuits). This package itself
(folder ``cli/``) holds only the ``pgaf`` command.
"""

__version__ = "0.1.0"
