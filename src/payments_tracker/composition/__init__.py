"""Settings and the composition root: where every port of every entry point is built."""
