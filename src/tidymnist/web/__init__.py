"""The draw-a-digit page, the models exported to it, and the local server."""
