"""Entry point of the frozen build: the same as the `field-app` command."""

import sys

from field_app.cli import main

if __name__ == "__main__":
    sys.exit(main())
