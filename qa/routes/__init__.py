"""The web app's routes, one module per audience: ``api`` (the public JSON API under /api: ask, examples, health,
feedback), ``admin`` (/admin and the document, version and job API behind the admin token), ``pages`` (the widget,
its demo page, the source viewer and the chat page at /). Error shapes for all of them are qa/errors.py (installed by
qa/contract.py); ``app.py`` only assembles them."""
