# Types of the compiled kernel (_kernels.pyx), for mypy and readers.
import numpy as np

def fifo_scalar(submit: np.ndarray, need: np.ndarray, dur: np.ndarray, start: np.ndarray, i0: int, i1: int,
                t: float, run_e: np.ndarray, run_n: np.ndarray, capacity: int,
                ) -> tuple[float, np.ndarray, np.ndarray]: ...
