"""Scaled synthetic data and side-by-side measurements of the join, the build, the browser and the log.

`python -m benchmarks` (`make bench`) runs them all and writes `benchmarks/RESULTS.md`;
see `benchmarks/__main__.py` for the options.
"""
