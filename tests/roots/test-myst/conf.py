extensions = ["myst_parser", "derivtex.sphinx"]
