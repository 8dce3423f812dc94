"""The web layer: Flask blueprints over the domain functions, and nothing below them."""
