"""The web layer: the portal's pages and forms. Flask lives here, and only here."""
