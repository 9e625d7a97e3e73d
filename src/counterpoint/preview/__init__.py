"""The live preview: a local server that rebuilds an edition when its files change.

`app` watches the files and rebuilds through the pipeline; `server` serves the page and
its events; `pdf` builds the preview's PDF in a limited child.
"""
