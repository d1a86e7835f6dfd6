/**
 * Decrypted credentials kept in memory for a short while, per workflow, trigger node and credential, so a busy
 * webhook does not pay n8n's getCredentials on every POST. In n8n 2.40 each getCredentials reads the credential
 * row from the database, decrypts it and acquires an expression isolate to apply defaults (profiled: about a third
 * of n8n's CPU per webhook POST). Nothing is written anywhere: not to static data, not to the log.
 *
 * Freshness: an entry is used for at most CREDENTIAL_CACHE_MS; a caller that finds the cached secret wrong (a
 * signature that does not match) asks for a fresh read, at most once per REFRESH_MIN_INTERVAL_MS, so a rotated
 * App Secret takes effect on the next POST. Re-publishing the workflow (or changing the node's credential) starts
 * from a fresh read too (forgetWorkflowCredentials on activation, and the credential ID is part of the key).
 */
import type {
	ICredentialDataDecryptedObject,
	IHookFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';

/** An old App Secret or Redis password stops working at most this long after the credential changed. */
export const CREDENTIAL_CACHE_MS = 10_000;
/** Refused POSTs (a forged signature) cannot make every request re-read the credential. */
export const REFRESH_MIN_INTERVAL_MS = 1_000;

interface Entry {
	values: Promise<ICredentialDataDecryptedObject>;
	readAt: number;
}

const CACHE_KEY = Symbol.for('n8n-nodes-whatsapp-hsm.credential-cache');

function cache(): Map<string, Entry> {
	const holder = globalThis as unknown as Record<symbol, Map<string, Entry> | undefined>;
	return (holder[CACHE_KEY] ??= new Map());
}

function keyOf(ctx: IWebhookFunctions | IHookFunctions, type: string): string {
	const node = ctx.getNode();
	const id = node.credentials?.[type]?.id ?? node.credentials?.[type]?.name ?? '';
	return [ctx.getWorkflow().id ?? '', node.id ?? node.name, type, id].join('\n');
}

/**
 * The node's credential of `type`, from the cache when it was read less than CREDENTIAL_CACHE_MS ago.
 * `refresh: true` reads it again unless the cached one is younger than REFRESH_MIN_INTERVAL_MS.
 * Concurrent callers share one read.
 */
export async function cachedCredentials(
	ctx: IWebhookFunctions,
	type: string,
	options: { refresh?: boolean; now?: number } = {},
): Promise<ICredentialDataDecryptedObject> {
	const now = options.now ?? Date.now();
	const key = keyOf(ctx, type);
	const entries = cache();
	const entry = entries.get(key);
	const age = entry ? now - entry.readAt : Infinity;
	if (entry && age < (options.refresh ? REFRESH_MIN_INTERVAL_MS : CREDENTIAL_CACHE_MS))
		return entry.values;
	const values = ctx.getCredentials(type);
	const fresh: Entry = { values, readAt: now };
	entries.set(key, fresh);
	// A failed read is not remembered: the next POST tries again.
	values.catch(() => {
		if (entries.get(key) === fresh) entries.delete(key);
	});
	return values;
}

/** Whether the last read of this credential is younger than REFRESH_MIN_INTERVAL_MS (a refresh would be skipped). */
export function isFreshRead(ctx: IWebhookFunctions, type: string, now = Date.now()): boolean {
	const entry = cache().get(keyOf(ctx, type));
	return !!entry && now - entry.readAt < REFRESH_MIN_INTERVAL_MS;
}

/** Drops every cached credential of a workflow (on activation and deactivation of its trigger). */
export function forgetWorkflowCredentials(workflowId: string | undefined): void {
	const prefix = `${workflowId ?? ''}\n`;
	for (const key of [...cache().keys()]) if (key.startsWith(prefix)) cache().delete(key);
}
