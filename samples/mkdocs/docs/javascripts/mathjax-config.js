// MathJax 3 as the README sets it up: only arithmatex markup is typeset, \boldsymbol is
// loaded up front, labelled results are numbered. (The README's script also re-typesets
// each page MkDocs Material's instant navigation shows; this theme has no document$.)
window.MathJax = {
  loader: { load: ["[tex]/boldsymbol"] },
  tex: { packages: { "[+]": ["boldsymbol"] }, tags: "ams",
         inlineMath: [["\\(", "\\)"]], displayMath: [["\\[", "\\]"]],
         processEscapes: true, processEnvironments: true },
  options: { ignoreHtmlClass: ".*|", processHtmlClass: "arithmatex" }
};
