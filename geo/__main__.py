"""`python -m geo` is the same as `heritage-map`."""

from geo.cli import main

main(prog_name="heritage-map")
