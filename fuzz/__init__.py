"""Random well-typed expressions for property tests and `make fuzz`."""
