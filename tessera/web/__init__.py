"""The web UI: server-rendered pages with Tessera's own CSS and JS, served by the app itself."""
