/** Types for queue.js (plain CommonJS, like runtime.js). */
import type { N8nClient } from './rest';

export interface N8nProcess {
	role: string;
	userFolder: string;
	pid: number;
	bootSeconds: number;
	logFile: string;
	stop(): Promise<void>;
	kill(signal: NodeJS.Signals): void;
	exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
	isRunning(): boolean;
	logTail(lines?: number): string;
}

export interface QueueCluster {
	dir: string;
	main: N8nProcess & { url: string; editorUrl: string; port: number };
	webhook: N8nProcess & { url: string; port: number };
	workers: N8nProcess[];
	redis: {
		host: string;
		port: number;
		password: string;
		pid: number;
		restart(options?: { downMs?: number }): Promise<void>;
		stop(): Promise<void>;
	};
	postgres: {
		host: string;
		port: number;
		user: string;
		password: string;
		database: string;
		pid: number;
		logFile: string;
		stop(): Promise<void>;
	};
	owner: { email: string; password: string };
	apiKey: string;
	/** Logged in on the main instance (owner cookie + public API key). */
	rest: N8nClient;
	encryptionKey: string;
	bootSeconds: number;
	/** A production URL as main reports it, sent to the webhook processor instead. */
	viaWebhookProcessor(url: string): string;
	killWorker(index: number): Promise<void>;
	restartWorker(index: number): Promise<N8nProcess>;
	logTails(lines?: number): string;
	stop(): Promise<void>;
}

export interface QueueClusterOptions {
	workers?: number;
	concurrency?: number;
	mainPort?: number;
	dir?: string;
	owner?: { email?: string; password?: string; firstName?: string; lastName?: string };
	env?: Record<string, string>;
	log?: (line: string) => void;
}

export declare function startQueueCluster(options?: QueueClusterOptions): Promise<QueueCluster>;
export declare const QUEUE_DIR: string;
