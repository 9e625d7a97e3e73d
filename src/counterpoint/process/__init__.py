"""Child processes and limits, shared by every stage.

`limits` holds the build's time, memory and size limits; `pandoc` runs the pinned Pandoc
binary under them; `timelimit` and `stopping` stop work that runs over its time or is
interrupted.
"""
