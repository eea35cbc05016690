"""Letters by email: readers' emails about posts turned into the inbox's letter files.

For authors who run no receiver: each post's "Reply by email" link (generator/build/mailto)
writes a letter that names the post and asks whether it may be quoted; `fireside inbox
fetch` reads such emails from an IMAP mailbox and `fireside inbox import` from .eml, mbox
and Maildir files. Both hand them to `letters`, which writes the same files the receiver
writes, so every other `fireside inbox` command works on them.

    mime       an email's bytes → plain facts (any MIME shape, charset, encoding)
    htmltext   HTML-only mail → readable text
    words      the reader's own words, apart from quoted mail and signature
    consent    the link's footer taken off, the consent read from the reader's words
    about      the site's posts, and which one an email is about
    letters    what an email is to the inbox (letter, answer, reply, nothing), written idempotently
    files      .eml, mbox and Maildir sources
    account    the IMAP account from site.yaml, the password from the environment or keyring
    imap       the IMAP session: read-only unless asked, clear errors
    fetch      the fetch itself, and what was read last time

A sub-package above `inbox`: it writes through the inbox's store and thought files, and
reads posts the way the build does; nothing below it imports it.
"""
