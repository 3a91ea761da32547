"""Build the simulator's compiled kernel; everything else is declared in pyproject.toml.

The extension is optional: where it cannot be built (no C compiler), aidc installs and runs
on the pure-Python twins of its functions, only slower (CI asserts it is built:
tests/simulate/test_kernels.py).
"""

from Cython.Build import cythonize
from setuptools import Extension, setup

setup(ext_modules=cythonize(
    [Extension("aidc.simulate._kernels", ["src/aidc/simulate/_kernels.pyx"], optional=True)],
    compiler_directives={"language_level": "3"}))
