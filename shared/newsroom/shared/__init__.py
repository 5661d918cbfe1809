"""What every Newsroom service shares: event contracts, stream names, settings, stream plumbing."""
