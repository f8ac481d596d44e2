"""Benchmarks of Retorno's heavy paths; each prints one JSON line of figures."""
