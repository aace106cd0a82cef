"""Use cases the API and the web UI share. Each takes the acting ``Principal``, asks
``tessera.access.policy`` before it reads or writes, and appends to the audit trail."""
