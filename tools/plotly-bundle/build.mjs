// Builds gdviz/vendor/plotly-gdviz.min.js, plotly.js with only the trace types gdviz draws
// (entry.js), with the same esbuild settings plotly.js uses for its own dist files
// (node_modules/plotly.js/esbuild-config.js), minified. Run by build.sh after `npm ci`.
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const version = JSON.parse(readFileSync(require.resolve('plotly.js/package.json'), 'utf8')).version;
const out = join(here, '..', '..', 'gdviz', 'vendor', 'plotly-gdviz.min.js');

// The same banner as plotly.js's own dist files: "plotly.js vX.Y.Z" names the version
// (tests/test_bundle.py and the benchmarks read it).
const banner = `/**
* plotly.js v${version} (gdviz partial bundle: core + ${'surface, scatter3d, contour, heatmap'};
* built by tools/plotly-bundle/build.sh)
* Copyright 2012-2026, Plotly, Inc.
* All rights reserved.
* Licensed under the MIT license
*/`;

// plotly.js's registry requires maplibre-gl's CSS when a map trace is registered; none is here, so
// the stylesheet becomes an empty module instead of being inlined (plotly.js inlines it).
const noMapCss = {
    name: 'no-map-css',
    setup(build) {
        build.onResolve({ filter: /maplibre-gl\.css$/ }, (args) => ({ path: args.path, namespace: 'no-map-css' }));
        build.onLoad({ filter: /.*/, namespace: 'no-map-css' }, () => ({ contents: '', loader: 'js' }));
    },
};

const result = await esbuild.build({
    entryPoints: [join(here, 'entry.js')],
    format: 'iife',
    globalName: 'Plotly',
    bundle: true,
    minify: true,
    legalComments: 'eof',
    sourcemap: false,
    plugins: [noMapCss],
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false', 'process.env.NODE_DEBUG': 'false' },
    target: 'es2016',
    banner: { js: banner },
    footer: { js: 'window.Plotly = Plotly;' },
    write: false,
    logLevel: 'warning',
});
const text = result.outputFiles[0].text;
writeFileSync(out, text);
console.log(`${out}: ${statSync(out).size.toLocaleString()} bytes, plotly.js v${version}`);
