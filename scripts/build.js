'use strict';
/**
 * `npm run build`: dist/ as n8n loads it, with no runtime `dependencies` (n8n's no-runtime-dependencies rule).
 *
 * - dist/package.js: every node and credential, with lib/ and the libraries they use (libphonenumber-js,
 *   ioredis) bundled in. Only `n8n-workflow` and `luxon` stay outside: n8n provides both (n8n-workflow as the
 *   peer dependency; luxon because n8n puts its own node_modules on NODE_PATH before loading community packages,
 *   see README, Architecture), and sharing n8n's luxon keeps DateTime values from expressions one class.
 * - dist/nodes/X/X.node.js and dist/credentials/X.credentials.js, the files package.json's `n8n` section lists:
 *   one line each, re-exporting the class from dist/package.js. One bundle, not one per file, so the nodes share
 *   module state as they do from source (one SQLite handle per file and one Redis client per credential).
 * - dist/sandbox/index.js and cli.js (the `whatsapp-hsm-sandbox` bin): the Meta sandbox, self-contained
 *   (luxon included, since it runs outside n8n), with its template catalogue next to it.
 * - Icons (light and dark) and codex files next to the files that name them.
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const REPO = path.resolve(__dirname, '..');
const DIST = path.join(REPO, 'dist');
/** Provided by n8n at run time; everything else is bundled. */
const FROM_N8N = ['n8n-workflow', 'luxon'];
const TARGET = 'node22';

/** `dist/nodes/X/X.node.js` → { source: nodes/X/X.node.ts, className: X }. */
function entryOf(distFile) {
	const source = distFile.replace(/^dist\//, '').replace(/\.js$/, '.ts');
	return { distFile, source, className: path.basename(distFile).split('.')[0] };
}

/** Every bare import a bundle left outside (node: builtins aside). */
function externalImports(metafile) {
	const names = new Set();
	for (const output of Object.values(metafile.outputs)) {
		for (const imported of output.imports) {
			if (imported.external && !imported.path.startsWith('node:')) names.add(imported.path);
		}
	}
	return [...names].sort();
}

function copyAssets(fromDir, toDir, pattern) {
	for (const entry of fs.readdirSync(fromDir, { withFileTypes: true })) {
		const from = path.join(fromDir, entry.name);
		if (entry.isDirectory()) copyAssets(from, path.join(toDir, entry.name), pattern);
		else if (pattern.test(entry.name)) {
			fs.mkdirSync(toDir, { recursive: true });
			fs.copyFileSync(from, path.join(toDir, entry.name));
		}
	}
}

/** @param {{ quiet?: boolean }} [options] */
async function build(options = {}) {
	const started = Date.now();
	const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8'));
	const entries = [...pkg.n8n.nodes, ...pkg.n8n.credentials].map(entryOf);
	fs.rmSync(DIST, { recursive: true, force: true });

	const common = {
		bundle: true,
		platform: 'node',
		format: 'cjs',
		target: TARGET,
		sourcemap: true,
		sourcesContent: false,
		logLevel: 'warning',
		metafile: true,
		legalComments: 'eof',
	};

	const packageEntry = entries
		.map(
			({ source, className }) =>
				`export { ${className} } from ${JSON.stringify(`./${source.replace(/\.ts$/, '')}`)};`,
		)
		.join('\n');
	const nodes = await esbuild.build({
		...common,
		stdin: {
			contents: packageEntry,
			resolveDir: REPO,
			sourcefile: 'package-entry.ts',
			loader: 'ts',
		},
		outfile: path.join(DIST, 'package.js'),
		external: FROM_N8N,
	});
	const left = externalImports(nodes.metafile).filter(
		(name) => !FROM_N8N.includes(name) && !isBuiltin(name),
	);
	if (left.length > 0)
		throw new Error(
			`dist/package.js still requires ${left.join(', ')}: bundle it or take it from n8n`,
		);

	for (const { distFile, className } of entries) {
		const file = path.join(REPO, distFile);
		fs.mkdirSync(path.dirname(file), { recursive: true });
		const relative = path
			.relative(path.dirname(file), path.join(DIST, 'package.js'))
			.split(path.sep)
			.join('/');
		fs.writeFileSync(
			file,
			`'use strict';\n// n8n loads the class named like this file; the code is in the one bundle (see scripts/build.js).\nexports.${className} = require('${relative.startsWith('.') ? relative : `./${relative}`}').${className};\n`,
		);
	}

	const sandbox = await esbuild.build({
		...common,
		entryPoints: {
			index: path.join(REPO, 'sandbox', 'index.ts'),
			cli: path.join(REPO, 'sandbox', 'cli.ts'),
		},
		outdir: path.join(DIST, 'sandbox'),
	});
	const sandboxLeft = externalImports(sandbox.metafile).filter((name) => !isBuiltin(name));
	if (sandboxLeft.length > 0)
		throw new Error(
			`dist/sandbox still requires ${sandboxLeft.join(', ')}: it must run without installing anything`,
		);
	fs.chmodSync(path.join(DIST, 'sandbox', 'cli.js'), 0o755);
	fs.copyFileSync(
		path.join(REPO, 'sandbox', 'catalogue.json'),
		path.join(DIST, 'sandbox', 'catalogue.json'),
	);

	copyAssets(path.join(REPO, 'nodes'), path.join(DIST, 'nodes'), /\.(svg|png|node\.json)$/);
	copyAssets(path.join(REPO, 'credentials'), path.join(DIST, 'credentials'), /\.(svg|png)$/);

	const size = (file) => `${Math.round(fs.statSync(path.join(DIST, file)).size / 1024)} KiB`;
	if (!options.quiet)
		console.log(
			`[build] dist/ in ${Date.now() - started} ms: package.js ${size('package.js')} (${entries.length} entry files; from n8n: ${FROM_N8N.join(', ')}), sandbox/cli.js ${size('sandbox/cli.js')}`,
		);
}

function isBuiltin(name) {
	return require('node:module').isBuiltin(name);
}

if (require.main === module) {
	build().catch((error) => {
		console.error(error.message);
		process.exit(1);
	});
}

module.exports = { build, FROM_N8N };
