'use strict';
/**
 * This package installed into an n8n user folder the way n8n 2.40's community-package installer does it
 * (CommunityPackagesService.downloadPackage): `npm pack`, then `tar -xzf <tarball> -C
 * <userFolder>/.n8n/nodes/node_modules/<name> --strip-components=1`, then package.json without devDependencies,
 * peerDependencies and optionalDependencies, and the name recorded in <userFolder>/.n8n/nodes/package.json.
 * n8n then runs `npm install` in that folder for the package's `dependencies`; ours is empty (everything is bundled
 * into dist/), so we run no install at all: what n8n loads is exactly the tarball's content, and the tests prove
 * the package works with nothing installed next to it.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const paths = require('./paths');

/** The keys n8n's installer drops from the unpacked package.json before its `npm install`. */
const DROPPED_KEYS = ['devDependencies', 'peerDependencies', 'optionalDependencies'];
/** n8n's own options for that install (community-packages.service.js), for checking it would fetch nothing. */
const N8N_INSTALL_ARGS = [
	'install',
	'--audit=false',
	'--fund=false',
	'--bin-links=false',
	'--install-strategy=shallow',
	'--ignore-scripts=true',
	'--package-lock=false',
];

/** Environment for npm without an outer `npm run`'s variables (they name the repo as prefix and package). */
function npmEnv() {
	const env = {};
	for (const [key, value] of Object.entries(process.env)) {
		if (/^npm_/i.test(key) || key === 'INIT_CWD') continue;
		env[key] = value;
	}
	env.npm_config_update_notifier = 'false';
	return env;
}

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * `npm pack` of the repository (package.json `files`: dist/, plus package.json, README and LICENSE) into a new
 * temporary folder. Needs a build (`npm run build`).
 * @returns {{ file: string, name: string, version: string, integrity: string, files: string[], size: number, unpackedSize: number }}
 */
function packPackage() {
	const destination = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-pack-'));
	const output = execFileSync(
		npm,
		['pack', '--json', '--ignore-scripts', '--loglevel=error', '--pack-destination', destination],
		{
			cwd: paths.REPO,
			env: npmEnv(),
			encoding: 'utf8',
		},
	);
	const [info] = JSON.parse(output);
	return {
		file: path.join(destination, info.filename),
		name: info.name,
		version: info.version,
		integrity: info.integrity,
		files: info.files.map((entry) => entry.path).sort(),
		size: info.size,
		unpackedSize: info.unpackedSize,
	};
}

/** Unpacks a tarball into `directory` as n8n does (tar --strip-components=1) and strips package.json likewise. */
function unpackLikeN8n(tarball, directory) {
	fs.mkdirSync(directory, { recursive: true });
	execFileSync('tar', ['-xzf', tarball, '-C', directory, '--strip-components=1']);
	const manifestFile = path.join(directory, 'package.json');
	const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
	for (const key of DROPPED_KEYS) delete manifest[key];
	fs.writeFileSync(manifestFile, JSON.stringify(manifest, null, 2), 'utf8');
	return manifest;
}

/** Records the package in n8n's ledger of installed community packages (<nodes>/package.json dependencies). */
function recordInLedger(nodesDir, name, version) {
	const ledgerFile = path.join(nodesDir, 'package.json');
	let ledger;
	try {
		ledger = JSON.parse(fs.readFileSync(ledgerFile, 'utf8'));
	} catch {
		ledger = { name: 'installed-nodes', private: true, dependencies: {} };
	}
	ledger.dependencies = { ...(ledger.dependencies || {}), [name]: version };
	fs.writeFileSync(ledgerFile, JSON.stringify(ledger, null, 2), 'utf8');
}

function removeTarball(tarball) {
	fs.rmSync(path.dirname(tarball.file), { recursive: true, force: true });
}

let packed;
/** One `npm pack` per process and build: repacked when dist/package.js changed. */
function currentTarball() {
	const bundle = path.join(paths.REPO, 'dist', 'package.js');
	const stamp = fs.existsSync(bundle)
		? crypto.createHash('sha256').update(fs.readFileSync(bundle)).digest('hex')
		: 'none';
	if (!packed || packed.stamp !== stamp || !fs.existsSync(packed.tarball.file)) {
		if (packed) removeTarball(packed.tarball);
		else process.once('exit', () => packed && removeTarball(packed.tarball));
		packed = { stamp, tarball: packPackage() };
	}
	return packed.tarball;
}

/**
 * Installs the packed package into `<userFolder>/.n8n/nodes/node_modules/<name>` (replacing an earlier install or
 * a link), unless the same tarball is already there. Synchronous, so several instances started from one process
 * on one user folder (queue mode) never unpack over each other.
 * @returns {string} the package directory
 */
function installPackedPackage(userFolder) {
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const modulesDir = path.join(nodesDir, 'node_modules');
	const directory = path.join(modulesDir, paths.PACKAGE_NAME);
	const tarball = currentTarball();
	const markerFile = path.join(nodesDir, `.${paths.PACKAGE_NAME}.tarball`);
	const installed = fs.existsSync(markerFile) ? fs.readFileSync(markerFile, 'utf8') : '';
	if (
		installed === tarball.integrity &&
		fs.existsSync(path.join(directory, 'package.json')) &&
		!fs.lstatSync(directory).isSymbolicLink()
	)
		return directory;

	fs.mkdirSync(modulesDir, { recursive: true });
	// Unpack next to it, then swap in: a half-unpacked package is never what n8n sees.
	const staging = fs.mkdtempSync(path.join(modulesDir, `.${paths.PACKAGE_NAME}-`));
	const manifest = unpackLikeN8n(tarball.file, staging);
	if (fs.existsSync(directory) && fs.lstatSync(directory).isSymbolicLink())
		fs.unlinkSync(directory);
	else fs.rmSync(directory, { recursive: true, force: true });
	fs.renameSync(staging, directory);
	recordInLedger(nodesDir, manifest.name, manifest.version);
	fs.writeFileSync(markerFile, tarball.integrity);
	return directory;
}

module.exports = {
	packPackage,
	unpackLikeN8n,
	installPackedPackage,
	N8N_INSTALL_ARGS,
	DROPPED_KEYS,
	npmEnv,
};
