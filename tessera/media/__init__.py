"""Reading seized media safely: type by content, decoders with limits, sources that stream items."""
