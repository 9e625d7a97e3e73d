"""Stage 4, render: one edition of a brief as HTML, through the set's Jinja templates.

`engine` builds the template context and renders an edition for a medium (web or print),
with the templates' `filters`, the scripts' typography (`scripts`) and compiled templates
kept signed in the user's cache (`bytecode`);
`templates` finds template sets, `manifest` reads a set's manifest.yaml, `scaffold` makes
sets for `templates eject` and `templates new`; `sandbox` is the Jinja sandbox and the
loader that reads only a set's files; `figures` draws the timeline and balance charts as
SVG (`timelayout` lays out the timeline, `svgtext` writes a figure's text); `bidi`
isolates text of the other direction; `setcheck` and `setinfo` check and describe a set.

Imports only earlier stages (audit, cite, brief), `process` and the shared leaves.
"""
