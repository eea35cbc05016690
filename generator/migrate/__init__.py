"""`fireside import`: another generator's site (Jekyll, Hugo, Zola, Pelican, Eleventy, a
WordPress export) written as a Fireside site, its source never changed.

Each source generator has its own module that reads the source into plain data (an
`ImportPlan`); the shared modules map front matter, convert what other generators' syntax
means in Markdown, plan the URLs so every old one still answers, and list what is left
for the author at `path:line`. `destination` is the only module that writes, and
`importer` the only one that knows the whole of it. An edge: may import `site`, `build`
(front matter reading) and `inbox` (the letter file formats); nothing imports it but `cli`.
"""
