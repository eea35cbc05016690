"""Markdown to HTML: one configured markdown-it, Pygments highlighting, image sizes.

It turns one document's text into its HTML and what the build needs from it (contents,
summary, links asked about); it knows nothing of the site's other files. May import
`site`."""
