"""Pictures of a model: boxes and arrows laid out in ranks (graph, layout), written as
SVG, PNG or PDF (matplotlib, imported only to draw) or as DOT and Mermaid text."""
