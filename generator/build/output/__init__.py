"""The output folder and the build cache: writing a finished plan to disk (only the files
whose bytes changed, all or nothing), staging, and what one build leaves for the next.
May import `site` only: it knows files and keys, not posts."""
