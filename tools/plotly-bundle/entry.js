'use strict';
// plotly.js for gdviz: the core (scatter, annotations, shapes, legend, hover, modebar, toImage) and
// only the trace types gdviz's views draw. Keep TRACES in build.mjs and this list in step:
// tests/test_bundle.py checks every trace type the views produce is registered in the built file.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/surface'),
    require('plotly.js/lib/scatter3d'),
    require('plotly.js/lib/contour'),
    require('plotly.js/lib/heatmap'),
]);

module.exports = Plotly;
