"""Use cases: archive an event, trim the streams, gather the status figures."""
