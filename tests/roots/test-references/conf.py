extensions = ["derivtex.sphinx"]
numfig = True
latex_documents = [("index", "references.tex", "References", "derivtex", "howto")]
