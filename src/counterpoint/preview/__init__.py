"""The live preview: a local server that rebuilds an edition when its files change.

`app` watches the files and rebuilds through the pipeline, in one session; `shown` is what
its threads share (settings, the state shown, the files built); `server` composes and
serves the page and its events; `pdf` builds the preview's PDF in a limited child.
"""
