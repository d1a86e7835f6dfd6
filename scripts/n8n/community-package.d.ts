/** Types for community-package.js (plain CommonJS, used by runtime.js without a compile step). */
export interface PackedTarball {
	/** Absolute path of the .tgz (in its own temporary folder) */
	file: string;
	name: string;
	version: string;
	integrity: string;
	/** Paths inside the package, sorted (package.json, README.md, LICENSE, dist/…) */
	files: string[];
	size: number;
	unpackedSize: number;
}
export declare function packPackage(): PackedTarball;
/** Unpacks like n8n's installer (tar --strip-components=1) and drops devDependencies, peerDependencies, optionalDependencies. */
export declare function unpackLikeN8n(tarball: string, directory: string): Record<string, unknown>;
export declare function installPackedPackage(userFolder: string): string;
/** The arguments n8n 2.40 passes to `npm install` in an unpacked community package. */
export declare const N8N_INSTALL_ARGS: string[];
export declare const DROPPED_KEYS: string[];
export declare function npmEnv(): NodeJS.ProcessEnv;
