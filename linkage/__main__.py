"""`python -m linkage` runs the same command line as the `linkage` console script."""

import sys

from linkage.cli import main

sys.exit(main())
