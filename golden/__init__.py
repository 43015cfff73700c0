"""pgaf.golden: the NumPy golden model, the specification the RTL is held to.

Pure NumPy: no Amaranth or cocotb imports here.
"""

from .config import ConfigError, FixedFormat, NetConfig, parse_shape  # noqa: F401
