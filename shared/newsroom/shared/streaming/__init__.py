"""Plumbing every stream consumer needs: the consumer recipe (`consumers`: broker, main and
reclaim subscribers, groups prepared and watched), group bootstrap, unique consumer names, dead
letters, consumer-lag metrics, log context. Behaviour specific to one service does not belong
here."""
