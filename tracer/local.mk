# tracer/ (filled in by its owner)
