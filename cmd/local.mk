# cmd/ (filled in by its owner)
