"""SVG pictures a model writes, kept drawing the same by the sanitiser
(tests/core/render/test_svg.py counts what they keep, tests/ui/test_svg_drawing.py draws them):
where each draws what, so a test can look there."""

from __future__ import annotations

# A bar chart: a gradient bar, a radial-filled ellipse, a circle clipped to its left half, a
# line ending in a marker's arrow, a symbol used twice, words, and what is not drawn.
CHART = """<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"
  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     width="200" height="200" viewBox="0 0 200 200" version="1.1">
  <title>Sales by quarter</title>
  <desc>Four quarters, as a model drew them.</desc>
  <metadata><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/></metadata>
  <defs>
    <linearGradient id="bar" x1="0" y1="0" x2="0" y2="1">
      <stop offset="0" stop-color="#1f77b4"/>
      <stop offset="1" stop-color="#2ca02c" stop-opacity="0.9"/>
    </linearGradient>
    <radialGradient id="glow" cx="0.5" cy="0.5" r="0.5">
      <stop offset="0" style="stop-color:#ff7f0e"/>
      <stop offset="1" style="stop-color:#d62728"/>
    </radialGradient>
    <clipPath id="left-half"><rect x="0" y="0" width="140" height="200"/></clipPath>
    <marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="6"
            markerHeight="6" orient="auto">
      <path d="M 0 0 L 10 5 L 0 10 z" fill="#9467bd"/>
    </marker>
    <symbol id="dot" viewBox="0 0 10 10"><circle cx="5" cy="5" r="5" fill="#8c564b"/></symbol>
  </defs>
  <script>alert("chart")</script>
  <rect id="q1" x="20" y="100" width="40" height="80" fill="url(#bar)" stroke="#000000"
        stroke-width="1" onclick="alert(1)"/>
  <ellipse cx="100" cy="150" rx="20" ry="30" fill="url('#glow')"/>
  <circle cx="140" cy="60" r="40" fill="#17becf" clip-path="url(#left-half)"/>
  <polyline points="20,20 60,40 90,30" fill="none" stroke="#9467bd" stroke-width="3"
            marker-end="url(#arrow)"/>
  <use xlink:href="#dot" x="170" y="170" width="20" height="20"/>
  <use href="#dot" x="170" y="140" width="20" height="20"/>
  <g transform="translate(100, 195)" font-family="sans-serif" font-size="10">
    <text text-anchor="middle">Sales <tspan font-weight="bold">2026</tspan></text>
  </g>
</svg>
"""
# Where CHART draws (x, y in its 200 × 200 pixels) and where it leaves the background.
CHART_INKED = [(40, 140), (100, 150), (120, 60), (40, 30), (175, 175), (175, 145)]
CHART_EMPTY = [(5, 5), (190, 100), (100, 80)]

# A flowchart as Mermaid writes it with plain-text labels: its look in a style sheet keyed by
# the picture's id, the nodes' boxes in classes, an edge ending in a marker.
MERMAID = """<svg id="mermaid-1" width="100%" xmlns="http://www.w3.org/2000/svg"
 style="max-width: 200px;" viewBox="0 0 200 120" role="graphics-document document"
 aria-roledescription="flowchart-v2" xmlns:xlink="http://www.w3.org/1999/xlink">
<style>#mermaid-1{font-family:"trebuchet ms",verdana,arial,sans-serif;font-size:16px;fill:#333;}
@keyframes edge-animation-frame{from{stroke-dashoffset:0;}}
@keyframes dash{to{stroke-dashoffset:0;}}
#mermaid-1 .node rect{fill:#ECECFF;stroke:#9370DB;stroke-width:1px;}
#mermaid-1 .flowchart-link{stroke:#333333;fill:none;}
#mermaid-1 .marker{fill:#333333;stroke:#333333;}
#mermaid-1 .label text{fill:#333;}
#mermaid-1 :root{--mermaid-font-family:"trebuchet ms",verdana,arial,sans-serif;}</style>
<g><marker id="mermaid-1_flowchart-v2-pointEnd" class="marker flowchart-v2" viewBox="0 0 10 10"
 refX="5" refY="5" markerUnits="userSpaceOnUse" markerWidth="8" markerHeight="8"
 orient="auto"><path d="M 0 0 L 10 5 L 0 10 z" class="arrowMarkerPath"
 style="stroke-width: 1; stroke-dasharray: 1, 0;"/></marker>
<g class="root"><g class="clusters"/><g class="edgePaths">
<path d="M60,60L140,60" id="L_A_B_0" class="edge-thickness-normal flowchart-link"
 style=";" marker-end="url(#mermaid-1_flowchart-v2-pointEnd)"/></g>
<g class="edgeLabels"/><g class="nodes">
<g class="node default" id="flowchart-A-0" transform="translate(35, 60)">
<rect class="basic label-container" style="" x="-25" y="-20" width="50" height="40"/>
<g class="label" transform="translate(0, 5)"><text text-anchor="middle">A</text></g></g>
<g class="node default" id="flowchart-B-1" transform="translate(165, 60)">
<rect class="basic label-container" x="-25" y="-20" width="50" height="40"/>
<g class="label" transform="translate(0, 5)"><text text-anchor="middle">B</text></g></g>
</g></g></g></svg>
"""
MERMAID_INKED = [(15, 50), (185, 70), (100, 60)]
MERMAID_EMPTY = [(100, 20), (100, 110), (5, 5)]
