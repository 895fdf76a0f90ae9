"""Do this machine's two cores double single-threaded arithmetic? One float32 matrix product of
the MLP's first layer's size (a batch of 128 by 784 x 512), 3,000 times on one BLAS thread.

    uv run --frozen python bench/two_cores.py                   # alone
    uv run --frozen python bench/two_cores.py & uv run --frozen python bench/two_cores.py; wait

If two at once each take about as long as one alone, two jobs side by side run at full speed.
"""

import time

import numpy as np
from threadpoolctl import threadpool_limits

rng = np.random.default_rng(0)
a = rng.random((128, 784), dtype=np.float32)
b = rng.random((784, 512), dtype=np.float32)
with threadpool_limits(1):
    start = time.perf_counter()
    for _ in range(3000):
        a @ b
    print(f"{time.perf_counter() - start:.2f} s")
