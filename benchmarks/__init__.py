"""Speed and memory of the four maps at city scale, against a naive baseline.

Run ``python -m benchmarks.run`` (see ``benchmarks/README.md``). Prints its
figures; not a timed test.
"""
