import os as _os
# OpenMP (torch's intra-op threads, MKL) waits by sleeping, not spinning, unless you set OMP_WAIT_POLICY yourself. Spinning
# threads beside any other busy process (a browser, another kernel) made training epochs ~20x slower on 2 cores; read
# when torch loads, so this runs before depthdif imports it (benchmarks/threads.py measures both policies).
_os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')
__version__ = "0.1.0"
