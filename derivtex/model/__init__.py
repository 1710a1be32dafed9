"""Model: symbols, kinds and shapes (declared or inferred), and the function registry."""
