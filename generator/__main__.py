"""`python -m generator` is the same as the `fireside` command."""


from generator.cli.command import run

# The guard matters: build worker processes (forkserver/spawn) import this module again.
if __name__ == "__main__":
    run()
