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

    from portal.agents import DEMO_AGENT_NAME, DEMO_AGENT_PASSWORD

    config = app.config["HELP_CENTER"]
    demo = f" (sign in as {DEMO_AGENT_NAME} / {DEMO_AGENT_PASSWORD})" if config.is_sandbox else ""
    print(f"Gelato Help Center ({config.mode} mode) on http://{config.host}:{config.port}/{demo}")
    run_simple(config.host, config.port, app, threaded=True)
