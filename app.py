"""WSGI entry point: ``app`` for a WSGI server, ``python app.py`` to serve locally."""

import sys

from portal import ConfigError, create_app

try:
    app = create_app()
except ConfigError as error:
    if __name__ != "__main__":
        raise
    sys.exit(str(error))

if __name__ == "__main__":
    from werkzeug.serving import run_simple

    config = app.config["HELP_CENTER"]
    print(f"Gelato Help Center ({config.mode} mode) on http://{config.host}:{config.port}/")
    run_simple(config.host, config.port, app, threaded=True)
