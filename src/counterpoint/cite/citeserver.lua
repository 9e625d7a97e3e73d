-- counterpoint's citation server, run as `pandoc lua citeserver.lua PANDOC` (server.py),
-- PANDOC being the path of the pandoc binary running it.
--
-- Pandoc's citeproc spends most of a short run on work that is the same for every document:
-- reading its locale data, building its sorting tables, and the like. This script formats
-- a sample once, with a small style of its own, so that work is done before the first real
-- request comes, then formats one request per line of its input, each exactly as
--
--   pandoc -f markdown -t json --citeproc -M lang=LANG -M link-citations=LINK \
--          --bibliography REFS --csl CSL TEXT
--
-- would. A request is a JSON object {"id": a number, "text", "refs", "csl", "out": file
-- paths, "lang": a string, "link": a boolean}; the formatted document goes to "out" as
-- Pandoc's JSON and the answer is one JSON line with the request's id: {"id": N, "ok": true,
-- "warnings": [...], "log": [...]} or {"id": N, "ok": false, "error": "..."}; "log" holds
-- the warnings as `--log` writes them (type, verbosity, fields). A line that is not a
-- request gets an answer without an id, which server.py takes as a broken server.
-- Before the first answer, once warm, it writes {"ready": true, "protocol": PROTOCOL}, the
-- version of these lines server.py checks. The script ends when its input does.

local PROTOCOL = 2 -- server.PROTOCOL: change both with the shape of a request or an answer

-- The sample's style: small (a long style only costs its own reading, which every request
-- does again for its style), but with the parts every style has: names, dates, terms,
-- positions, locators and a sorted bibliography.
local STYLE = [==[
<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">
  <info><title>Warm-up</title><id>warm-up</id><updated>2026-01-01T00:00:00+00:00</updated></info>
  <macro name="names">
    <names variable="author"><name and="text" delimiter-precedes-last="never"/>
      <label form="short" prefix=", "/><substitute><names variable="editor"/>
      <text variable="container-title"/></substitute></names>
  </macro>
  <citation et-al-min="4" et-al-use-first="1">
    <layout suffix="." delimiter="; ">
      <choose>
        <if position="ibid-with-locator"><text term="ibid"/><text variable="locator" prefix=", "/></if>
        <else-if position="subsequent"><group delimiter=", "><text macro="names"/>
          <text variable="title" form="short" quotes="true"/><text variable="locator"/></group></else-if>
        <else><group delimiter=", "><text macro="names"/><text variable="title" quotes="true"/>
          <names variable="translator"><label form="verb-short" suffix=" "/><name/></names>
          <text variable="container-title" font-style="italic"/><text variable="volume"/>
          <number variable="edition" form="ordinal"/><text variable="publisher"/>
          <date variable="issued" form="text"/><group delimiter=" "><label variable="locator"
          form="short"/><text variable="locator"/></group><text variable="page"/>
          <text variable="DOI" prefix="https://doi.org/"/><text variable="URL"/>
          <group delimiter=" "><text term="accessed"/><date variable="accessed"
          form="text"/></group></group></else>
      </choose>
    </layout>
  </citation>
  <bibliography>
    <sort><key variable="author"/><key variable="issued"/><key variable="title"/></sort>
    <layout suffix=".">
      <group delimiter=". "><names variable="author"><name name-as-sort-order="first"
        and="text"/><substitute><names variable="editor"/><text variable="title"/>
        </substitute></names><text variable="title" font-style="italic"/>
        <date variable="issued"><date-part name="year"/></date></group>
    </layout>
  </bibliography>
</style>
]==]

local SAMPLE = [==[
---
references:
- id: s-book
  type: book
  author: [{family: Tolland, given: Mira}]
  editor: [{family: Achebe, given: Nkem}]
  translator: [{family: Ivanova, given: Olga}]
  title: "Rivers and Borders: A History"
  edition: 2
  publisher: Meridian Press
  publisher-place: London
  issued: {date-parts: [[2019]]}
- id: s-chapter
  type: chapter
  author: [{family: Wang, given: Li}]
  editor: [{family: Berg, given: Hans, non-dropping-particle: van den}]
  title: "Trade at the edge"
  container-title: Frontier Economies
  page: 45-67
  publisher: Northfield University Press
  issued: {date-parts: [[2021, 3]]}
- id: s-article
  type: article-journal
  author: [{family: Okafor, given: Ada}, {family: Lund, given: Per, suffix: Jr.}]
  title: "Who settles the steppe?"
  container-title: Journal of Regional Studies
  volume: 12
  issue: 3
  page: 201-230
  DOI: 10.1000/sample.2020.12
  issued: {date-parts: [[2020, 9, 14]]}
- id: s-report
  type: report
  author: [{literal: Institute for Border Research}]
  title: Population and Labour in the East
  number: WP-17
  genre: Working paper
  publisher: Institute for Border Research
  issued: {date-parts: [[2022]]}
- id: s-page
  type: webpage
  title: Crossing points
  container-title: Borderlands Atlas
  URL: https://example.org/atlas/crossings
  accessed: {date-parts: [[2024, 5, 2]]}
- id: s-news
  type: article-newspaper
  title: Bridge opens to freight
  container-title: The Daily Ledger
  issued: {date-parts: [[2023, 6, 10]]}
- id: s-speech
  type: speech
  author: [{family: Sato, given: Ken}]
  title: Remarks on regional cooperation
  event-title: Annual Forum
  event-place: Vladivostok
  issued: {date-parts: [[2018, 9, 11]]}
- id: s-interview
  type: interview
  author: [{family: Petrov, given: Ivan}]
  interviewer: [{family: Moreau, given: Claire}]
  container-title: Radio East
  issued: {date-parts: [[2017, 2]]}
- id: s-treaty
  type: treaty
  title: Agreement on the Eastern Section of the Boundary
  issued: {date-parts: [[1991, 5, 16]]}
...

[@s-book, 12]

[@s-book, 14-15]

[@s-chapter, p. 50; @s-article]

[@s-report, chap. 2]

[@s-page]

[@s-news; @s-speech]

[@s-interview]

[see @s-treaty, art. 3]

[-@s-article, 210]

@s-book [30]

[@s-report, 4; @s-chapter]

[@s-page]
]==]

-- The command line's Markdown reader knows the abbreviations of its data file ("chap. 2"
-- keeps a no-break space, as "p. 2" does); `pandoc.read`'s defaults know fewer. The file is
-- the user's own if they have one, as on the command line.
local function abbreviations()
  local text
  local user = PANDOC_STATE.user_data_dir
  local file = user and io.open(pandoc.path.join({ user, "abbreviations" }), "rb")
  if file then
    text = file:read("a")
    file:close()
  else
    text = pandoc.pipe(arg[1], { "--print-default-data-file", "abbreviations" }, "")
  end
  local set = {}
  for line in text:gmatch("[^\n]+") do
    set[line] = true
  end
  return set
end

local READER = pandoc.ReaderOptions({ abbreviations = abbreviations() })

local function format(text, refs, csl, lang, link)
  local doc = pandoc.read(text, "markdown", READER)
  if refs then
    doc.meta.bibliography = refs
  end
  doc.meta.csl = csl
  doc.meta.lang = lang
  doc.meta["link-citations"] = link
  return pandoc.utils.citeproc(doc)
end

pcall(function()
  local style = "data:application/xml," .. STYLE:gsub("[^%w]", function(c)
    return string.format("%%%02X", string.byte(c))
  end)
  pandoc.write(format(SAMPLE, nil, style, "en-US", false), "json")
end)

local function answer(value)
  io.stdout:write(pandoc.json.encode(value), "\n")
  io.stdout:flush()
end

-- Warm: say so, so that a server that dies later (at its memory ceiling, on a hostile
-- request) is told apart from a Pandoc that cannot serve at all.
answer({ ready = true, protocol = PROTOCOL })

for line in io.lines() do
  local seen = #PANDOC_STATE.log
  local decoded, request = pcall(pandoc.json.decode, line, false)
  local id = decoded and type(request) == "table" and math.tointeger(request.id) or nil
  local ok, err = pcall(function()
    assert(id, "not a request")
    local input = assert(io.open(request.text, "rb"))
    local text = input:read("a")
    input:close()
    local doc = format(text, request.refs, request.csl, request.lang, request.link)
    local output = assert(io.open(request.out, "wb"))
    output:write(pandoc.write(doc, "json"))
    output:close()
  end)
  if ok then
    local warnings, log = pandoc.List(), pandoc.List() -- [] when empty, not {}
    for i = seen + 1, #PANDOC_STATE.log do
      local message = pandoc.json.decode(pandoc.json.encode(PANDOC_STATE.log[i]), false)
      if message.verbosity == "WARNING" or message.verbosity == "ERROR" then
        warnings[#warnings + 1] = message.pretty
        log[#log + 1] = message
      end
    end
    answer({ id = id, ok = true, warnings = warnings, log = log })
  else
    answer({ id = id, ok = false, error = tostring(err) })
  end
end
