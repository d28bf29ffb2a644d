"""`python -m relorch` entry point."""

from relorch.cli import main

raise SystemExit(main())
