"""Allow ``python -m kbctl``."""

from kbctl.cli.fast import main

if __name__ == "__main__":
    main()
