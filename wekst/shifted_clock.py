"""Run a command of ours under the test suite's shifted clock: `python -m wekst.shifted_clock
manage.py db_worker …`, for the tests that start a worker or a server in a process of its own.

With WEKST_CLOCK_SHIFT_DAYS=N (wekst/testing.py) the tests run N days ahead; a process they start
must see the same date, or a task they enqueue is not due for it yet. Without the variable this
runs the script as it is.
"""

import runpy
import sys

from wekst.testing import shift_clock

if __name__ == "__main__":
    shift_clock()
    script, sys.argv = sys.argv[1], sys.argv[1:]
    runpy.run_path(script, run_name="__main__")
