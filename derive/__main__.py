"""`python -m derive` runs the command line."""
from .cli import main

main()
