"""Runs every tests/api/test_*.py (or those matching the patterns given) with unittest and
prints `api: N passed, N failed`."""

import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main():
    patterns = sys.argv[1:] or ["test_*.py"]
    suite = unittest.TestSuite(
        unittest.defaultTestLoader.discover(HERE, pattern=p) for p in patterns)
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout).run(suite)
    failed = len(result.failures) + len(result.errors)
    passed = result.testsRun - failed - len(result.skipped)
    print(f"api: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
