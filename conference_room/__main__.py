"""Run the command line: python -m conference_room ..."""

from .cli import main

main()
