/**
 * Where the embedded store lives: the node's "Store File" option, else WHATSAPP_HSM_STORE_PATH, else
 * `whatsapp-hsm-store.sqlite` in n8n's own folder (`<N8N_USER_FOLDER or home>/.n8n`, next to n8n's database),
 * so a plain self-hosted n8n keeps it across restarts and backups of that folder include it.
 * `~` expands to the home folder; a relative path is taken inside the n8n folder.
 */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export const STORE_FILE_NAME = 'whatsapp-hsm-store.sqlite';
export const STORE_PATH_ENV = 'WHATSAPP_HSM_STORE_PATH';

/** n8n's user folder (~/.n8n, or N8N_USER_FOLDER/.n8n). */
export function n8nFolder(env: NodeJS.ProcessEnv = process.env): string {
	return join(env.N8N_USER_FOLDER || homedir(), '.n8n');
}

/** The SQLite store file: the node's option, else the environment variable, else inside the n8n folder. */
export function resolveStorePath(option?: string, env: NodeJS.ProcessEnv = process.env): string {
	const chosen = (option ?? '').trim() || (env[STORE_PATH_ENV] ?? '').trim();
	if (!chosen) return join(n8nFolder(env), STORE_FILE_NAME);
	if (chosen === ':memory:') return chosen;
	const expanded =
		chosen === '~'
			? homedir()
			: chosen.startsWith('~/')
				? join(homedir(), chosen.slice(2))
				: chosen;
	return isAbsolute(expanded) ? resolve(expanded) : resolve(n8nFolder(env), expanded);
}
