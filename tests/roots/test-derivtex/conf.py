extensions = ["derivtex.sphinx"]
latex_elements = {"fontpkg": "", "fncychap": ""}
