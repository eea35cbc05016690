"""`fireside publish`: build, check, then send what changed to a folder, rsync or a git
branch. An edge over the build and the check: may import everything but `cli`."""
