"""What a site is: its settings (site.yaml), its content as plain frozen data, and the
rules for names and URLs. The floor of the package: it reads site.yaml and nothing else,
and imports nothing of Fireside's from outside itself."""
