"""``python -m vidmyo`` = the ``vidmyo`` command."""

from vidmyo.cli import run

run()
