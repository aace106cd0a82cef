"""HTTP plumbing shared by the JSON API and the web pages: who is asking, request guards
and pixel responses. The application that joins them is ``tessera.server``."""
