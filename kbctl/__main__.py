"""Allow ``python -m kbctl``."""

from kbctl.cli.app import main

if __name__ == "__main__":
    main()
