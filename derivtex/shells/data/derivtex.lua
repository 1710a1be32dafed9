--[[ derivtex.lua: a Pandoc (and Quarto) filter that turns

    ```{.derivtex wrt=x label=eq-bil}
    y^T A x
    ```

into the index-method derivation made by derivtex (https://pypi.org/project/derivtex/):
raw LaTeX for LaTeX and PDF output, sentences and math for any other format. Every
option of `derivtex derive` is an attribute (shape and symmetric may repeat).

    pandoc page.md -L derivtex.lua -o page.pdf
    pandoc page.md -L derivtex.lua --mathjax -s -o page.html

The blocks of a page go to one `derivtex pandoc --blocks` process as JSON on its
standard input (pandoc.pipe takes an argument list: no shell ever sees them). Set
DERIVTEX_COMMAND to run another derivtex (e.g. a virtual environment's). A bad block is
a warning on standard error and a box in the output. Labelled results are numbered; a
reference \eqref{eq-bil} or @eq-bil becomes a link to it (Quarto numbers them itself).

Copyright (c) 2026 derivtex contributors. Distributed under the MIT License (the
LICENSE file of derivtex).
]]

local program = os.getenv("DERIVTEX_COMMAND") or "derivtex"
local latex = FORMAT:match("latex") ~= nil or FORMAT:match("beamer") ~= nil
local in_quarto = type(quarto) == "table"
local requests = {}
local outputs = {}
local numbers = {}

local function json_string(text)
  local escaped = text:gsub('[%c"\\]', function(char)
    return string.format("\\u%04x", string.byte(char))
  end)
  return '"' .. escaped .. '"'
end

-- Where each ```{.derivtex} fence starts, in the order Pandoc meets the blocks: Pandoc's
-- Markdown reader keeps no positions, so the input files are read for them.
local function fence_lines()
  local found = {}
  for _, file in ipairs(PANDOC_STATE.input_files) do
    local handle = io.open(file, "r")
    if handle then
      local number = 0
      for line in handle:lines() do
        number = number + 1
        if line:match("^%s*[`~][`~][`~]+%s*{[^}]*%.derivtex[%s}]") then
          table.insert(found, file .. ":" .. number)
        end
      end
      handle:close()
    end
  end
  return found
end

local function is_derivtex(block)
  return block.classes:includes("derivtex")
end

local function collect(block)
  if not is_derivtex(block) then return nil end
  local options, label = {}, nil
  for _, pair in ipairs(block.attributes) do
    table.insert(options, "[" .. json_string(pair[1]) .. "," .. json_string(pair[2]) .. "]")
    if pair[1] == "label" then label = pair[2] end
  end
  local number = "null"
  if label and not latex and not in_quarto then
    local count = 0
    for _ in pairs(numbers) do count = count + 1 end
    numbers[label] = numbers[label] or count + 1
    number = tostring(numbers[label])
  end
  table.insert(requests, {
    expression = block.text:gsub("%s+", " "),
    options = options, number = number,
    position = block.attributes["data-pos"]
  })
  return nil
end

local function derive_all(doc)
  if #requests == 0 then return nil end
  local lines, items = fence_lines(), {}
  for n, request in ipairs(requests) do
    local where = request.position or lines[n] or ("derivtex block " .. n)
    table.insert(items, "{\"expression\":" .. json_string(request.expression)
      .. ",\"options\":[" .. table.concat(request.options, ",") .. "],\"where\":"
      .. json_string(where) .. ",\"number\":" .. request.number .. "}")
  end
  local input = "{\"latex\":" .. tostring(latex) .. ",\"blocks\":["
    .. table.concat(items, ",") .. "]}"
  local ok, answer = pcall(pandoc.pipe, program, {"pandoc", "--blocks"}, input)
  if not ok then
    io.stderr:write("derivtex.lua: could not run `" .. program .. " pandoc --blocks` ("
      .. tostring(answer) .. "); is derivtex installed? The blocks stay as code.\n")
    return nil
  end
  for _, block in ipairs(pandoc.read(answer, "markdown").blocks) do
    if block.t == "Div" and block.classes:includes("derivtex-output") then
      outputs[tonumber(block.attributes["n"])] = block.content
    end
  end
  return nil
end

local seen = 0
local function replace(block)
  if not is_derivtex(block) then return nil end
  seen = seen + 1
  return outputs[seen]
end

local function reference(label)
  local number = numbers[label]
  if number == nil then return nil end
  return pandoc.Link({pandoc.Str("(" .. number .. ")")}, "#" .. label)
end

local function raw_reference(inline)
  if latex or not inline.format:match("tex") then return nil end
  local label = inline.text:match("^\\eqref{([^}]*)}$") or inline.text:match("^\\ref{([^}]*)}$")
  return label and reference(label)
end

local function cite_reference(cite)
  if #cite.citations ~= 1 or numbers[cite.citations[1].id] == nil then return nil end
  local label = cite.citations[1].id
  if latex then
    return pandoc.RawInline("latex", "\\eqref{" .. label .. "}")
  end
  return reference(label)
end

local function latex_labels(block)
  if latex and is_derivtex(block) then
    for _, pair in ipairs(block.attributes) do
      if pair[1] == "label" then numbers[pair[2]] = true end
    end
  end
end

local references = {RawInline = raw_reference}
if not in_quarto then
  references.Cite = cite_reference
end

return {
  {CodeBlock = function(block) latex_labels(block); return collect(block) end,
   Pandoc = derive_all},
  {CodeBlock = replace},
  references,
}
