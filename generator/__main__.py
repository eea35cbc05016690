"""`python -m generator` is the same as the `fireside` command."""

import sys

from generator.cli import main

# The guard matters: build worker processes (forkserver/spawn) import this module again.
if __name__ == "__main__":
    sys.exit(main())
