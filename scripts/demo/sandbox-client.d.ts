/** Types for sandbox-client.js: the sandbox's HTTP control API as the demo uses it. */

/** JSON from the control API, read loosely by the demo's JavaScript. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

export interface SandboxClient {
	info(): Promise<Json>;
	say(phrase: string): Promise<Json>;
	setWebhookUrl(url: string | null): Promise<Json>;
	ledger(to?: string): Promise<Json[]>;
	duplicates(): Promise<Json[]>;
	rejections(): Promise<Json[]>;
	stats(): Promise<Json>;
	contact(waId: string): Promise<Json>;
	webhooksIdle(timeoutMs?: number): Promise<Json>;
	configure(settings: Record<string, unknown>): Promise<Json>;
	[name: string]: Json;
}
export declare function createSandboxClient(baseUrl: string): SandboxClient;
