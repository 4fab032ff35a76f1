"""`python -m incidentkit` runs the command line."""

from incidentkit.cli import main

main()
