"""``python -m strokebot``: the command line."""

from strokebot.cli import main

main()
