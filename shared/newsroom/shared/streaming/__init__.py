"""Plumbing every stream consumer needs: group bootstrap, unique consumer names, dead letters,
consumer-lag metrics. Behaviour specific to one service does not belong here."""
