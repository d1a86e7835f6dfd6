/** Types for runtime.js (plain CommonJS so `npm run n8n:install` needs no TypeScript step). */
import type { N8nClient } from './rest';

export interface CliResult {
	code: number;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

export interface N8nInstance {
	/** http://127.0.0.1:<port> (n8n listens on IPv4 loopback only); also the base of production webhook URLs. */
	url: string;
	/** http://localhost:<port>, what to open in a browser. */
	editorUrl: string;
	port: number;
	/** N8N_USER_FOLDER (n8n keeps its database and encryption key in <userFolder>/.n8n). */
	userFolder: string;
	/** n8n's whole output. */
	logFile: string;
	owner: { email: string; password: string };
	/** Public API key (X-N8N-API-KEY), unless started with apiKey: false. */
	apiKey?: string;
	/** Logged-in client (owner cookie + API key). */
	rest: N8nClient;
	bootSeconds: number;
	pid: number;
	stop(): Promise<void>;
	logTail(lines?: number): string;
	/** Runs `n8n <args>` (import:workflow, import:credentials, publish:workflow, execute, …) on this instance's database. */
	cli(args: string[], options?: { timeoutMs?: number }): Promise<CliResult>;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
	port?: number;
	userFolder?: string;
	env?: Record<string, string>;
	owner?: { email?: string; password?: string; firstName?: string; lastName?: string };
	apiKey?: boolean;
	bootTimeoutMs?: number;
	log?: (line: string) => void;
	inheritOutput?: boolean;
}

export declare function startN8n(options?: StartOptions): Promise<N8nInstance>;
export declare function installN8n(options?: {
	log?: (line: string) => void;
	force?: boolean;
}): Promise<{ alreadyInstalled: boolean; dir: string; seconds?: number }>;
export declare function runN8nCli(
	args: string[],
	options: { userFolder: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<CliResult>;
export declare function readLogTail(file: string, lines?: number): string;
export declare function isInstalled(): boolean;
export declare function freePort(): Promise<number>;
/** Installs the `npm pack` tarball of the current dist/ into <userFolder>/.n8n/nodes/node_modules/<name> as n8n's installer does; returns that folder. */
export declare function installPackedPackage(userFolder: string): string;
/** The same as installPackedPackage (the name earlier versions used when they linked the repository). */
export declare function linkPackage(userFolder: string): string;
export declare const paths: {
	REPO: string;
	N8N_VERSION: string;
	CACHE_DIR: string;
	MARKER_FILE: string;
	N8N_BIN: string;
	NODE24_DIR: string;
	NODE24_BIN_DIR: string;
	NODE24: string;
	PACKAGE_NAME: string;
};
