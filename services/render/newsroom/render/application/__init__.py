"""Use cases: one module each, driving the ports in application.ports."""
