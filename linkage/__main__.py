"""`python -m linkage` runs the same command line as the `linkage` console script."""

from linkage.console import main

main()
