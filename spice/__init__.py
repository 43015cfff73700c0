"""SPICE model of the SOT-MTJ sampling circuit and its energy per sample.

One builder per circuit part (``write_path``, ``mtj_element``, ``read_path``), composed
into one reset → write → read transient by ``sampling_cycle``; ``params.CircuitParams``
holds every number with its source; ``supply_energy`` integrates V·I of every supply;
``pulse_resistor`` is the analytic check; ``sweep`` sweeps pulse width and current;
``llg_check`` compares P(I) from the stochastic LLG equation (cmtj) with the paper;
``ngspice`` owns the one shared ngspice instance.
"""
