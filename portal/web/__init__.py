"""The web layer: Flask blueprints and forms over the domain packages, and the only place that
knows about requests, responses and sessions."""
