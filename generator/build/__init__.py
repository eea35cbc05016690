"""The pipeline: sources → documents → Markdown → pages → the output folder.

`pipeline` is the only module that knows the whole of it; `incremental` is
`fireside build` over the site's own cache. The `output` package below it puts pages on
disk and remembers what one build leaves for the next. May import `site` and `markdown`.
"""
