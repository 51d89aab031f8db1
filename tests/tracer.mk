# tests for tracer (filled in by its owner)
