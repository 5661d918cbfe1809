"""Edges of the enrich service: the NLP model, Redis."""
