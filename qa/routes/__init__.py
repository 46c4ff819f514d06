"""The web app's routes, one module per audience: ``api`` (the public JSON API under /api: ask, health, feedback),
``admin`` (/admin and the document and job API behind the admin token), ``pages`` (the widget, its demo page and the
chat page at /). ``app.py`` only assembles them."""
