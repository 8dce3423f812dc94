"""MkDocs hooks: facts defined once in the portal package reach the articles here."""

import json
from datetime import UTC, datetime
from pathlib import Path


def on_post_build(config, **kwargs):
    # The portal's health check reports when the site it serves was built.
    info = {"built_at": datetime.now(UTC).isoformat(timespec="seconds")}
    Path(config["site_dir"], "build-info.json").write_text(json.dumps(info))
