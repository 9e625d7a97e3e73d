"""`python -m counterpoint` runs the command line."""

from counterpoint.cli import run

if __name__ == "__main__":
    run()
