"""Fireside: Markdown essays in, a static relationship-first blog out."""

__version__ = "0.1.0"
