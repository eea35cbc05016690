"""`fireside new site` and `fireside new post`: files an author starts from."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from generator.site.config import CONFIG_NAME
from generator.site.errors import SiteError
from generator.site.slugs import slugify

SITE_YAML = """\
# Fireside settings. Every key is described in Fireside's README ("site.yaml reference").
title: "{title}"
description: "Essays, and the letters they bring."
base_url: "https://example.com/"
language: en
timezone: UTC
author:
  name: "Your Name"
  email: "you@example.com"
per_page: 10
menu:
  - title: Essays
    url: /
  - title: Archive
    url: /archive/
  - title: About
    url: /about/
"""

FIRST_POST = """\
---
title: "Hello, reader"
date: {today}
tags: [letters]
---

This is the first essay of a new blog. Write what you would say to one person you trust,
then publish it for the few who will read it closely.

<!-- more -->

## Why a blog, and why letters

Readers answer privately: each post ends with an invitation to write to you, and you
answer each letter yourself.
"""

ABOUT_PAGE = """\
---
title: About
description: Who writes here, and how to write back.
---

Say who you are and what you write about. Tell readers how to reach you: every essay
ends with an invitation to write, and you answer each letter personally.
"""

GITIGNORE = """\
# Built output, caches and the private reader inbox never belong in git.
/public/
/.fireside-cache/
/inbox/
"""


def new_site(target: Path) -> list[Path]:
    """Write a working site skeleton into `target` (empty or new); refuse to overwrite."""
    if target.exists() and any(target.iterdir()):
        raise SiteError(target, None, "folder is not empty; choose a new or empty folder")
    files = {
        target / CONFIG_NAME: SITE_YAML.format(title=target.resolve().name.replace('"', "")),
        target / "content" / "posts" / "hello-reader.md": FIRST_POST.format(today=date.today().isoformat()),
        target / "content" / "pages" / "about.md": ABOUT_PAGE,
        target / "content" / "static" / ".keep": "",
        target / ".gitignore": GITIGNORE,
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return sorted(files)


def new_post(site_root: Path, title: str, today: date | None = None) -> Path:
    """Create content/posts/<slug>.md as a draft dated today; refuse to overwrite."""
    if not title.strip():
        raise SiteError(None, None, 'a post needs a title: fireside new post "My title"')
    slug = slugify(title)
    path = site_root / "content" / "posts" / f"{slug}.md"
    if path.exists() or (path.parent / slug).exists():
        raise SiteError(path.relative_to(site_root), None, "already exists; choose another title")
    path.parent.mkdir(parents=True, exist_ok=True)
    # A JSON string is a valid YAML double-quoted scalar: quotes and colons in titles stay safe.
    title_yaml = json.dumps(title.strip(), ensure_ascii=False)
    day = (today or date.today()).isoformat()
    front = f"---\ntitle: {title_yaml}\ndate: {day}\ntags: []\ndraft: true\n---\n\n"
    with path.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(front)
    return path
