"""`python -m capture.cli`: the `waybill` command, for running it without the console script."""

import sys

from capture.cli import main

if __name__ == "__main__":
    sys.exit(main())
