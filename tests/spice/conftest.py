import pytest


@pytest.fixture(scope="session")
def ngspice_ok():
    """Skip (with the fix) when the ngspice shared library is not loadable; CI installs it."""
    from pgaf.golden.errors import UserError
    from pgaf.spice.ngspice import ngspice
    try:
        ngspice()
    except UserError as e:
        pytest.skip(str(e))
