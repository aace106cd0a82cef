"""The de-confliction report: a model, a builder, and registered renderers (json, csv, html)."""
