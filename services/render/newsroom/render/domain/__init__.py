"""Pure render logic: the projection, visibility, page footprints and view models. No I/O."""
