"""`python -m counterpoint` runs the command line."""

from counterpoint.cli.launch import main

if __name__ == "__main__":
    main()
