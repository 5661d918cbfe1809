"""How the enrich service is run: the stream worker (an ASGI app) and the command line."""
