/** Types for sandbox-client.js: the sandbox's HTTP control API as the demo uses it. */
export interface SandboxClient {
	info(): Promise<any>;
	say(phrase: string): Promise<any>;
	setWebhookUrl(url: string | null): Promise<any>;
	ledger(to?: string): Promise<any[]>;
	duplicates(): Promise<any[]>;
	rejections(): Promise<any[]>;
	stats(): Promise<any>;
	contact(waId: string): Promise<any>;
	webhooksIdle(timeoutMs?: number): Promise<any>;
	configure(settings: Record<string, unknown>): Promise<any>;
	[name: string]: any;
}
export declare function createSandboxClient(baseUrl: string): SandboxClient;
