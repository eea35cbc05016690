"""`fireside check`: a built site read as a reader and a feed reader would, each problem
traced to the source file and line that caused it. An edge over the build: may import
`site`, `build` and `inbox` (to ask whether letters are in git)."""
