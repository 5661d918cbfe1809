"""Render's edges: the SQL read model, its migrations, and raw stream reading for replay."""
