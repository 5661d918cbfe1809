"""`make bench`: every service's benchmark, one after the other, on this machine."""
