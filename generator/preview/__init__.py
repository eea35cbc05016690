"""`fireside serve`: build into a private folder, serve it, watch the sources, rebuild on
each save and reload the open tabs. An edge over the build: may import `site`,
`markdown` and `build`, never the reverse."""
