# tests for format (filled in by its owner)
