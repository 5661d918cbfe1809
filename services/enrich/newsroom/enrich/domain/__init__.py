"""Pure enrichment: entities and timelines as functions of (text, dateline)."""
