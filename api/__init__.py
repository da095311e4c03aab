"""The hub's faces: the HTTP API, web pages and the command line."""
