"""Child processes and limits, shared by every stage.

`limits` holds the build's time, memory and size limits; `jobs` runs one job in a child
process under them and maps how it ended (docs/processes.md); `worker` keeps a process
warm to run jobs; `pandoc` runs the pinned Pandoc binary under them; `timelimit` and
`stopping` stop work that runs over its time or is interrupted.
"""
