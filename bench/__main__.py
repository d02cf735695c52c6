"""`python -m bench [options]`: the national benchmark (see bench/national.py)."""

from bench.national import main

raise SystemExit(main())
