extensions = ["derivtex.sphinx"]
