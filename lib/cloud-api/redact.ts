/**
 * Removes secrets from any text before it reaches an error, an output item or a log line.
 * Secrets shorter than 4 characters are ignored (they would blank out ordinary words).
 */
export function redactSecrets(text: string, secrets: Array<string | undefined>): string {
	let result = text;
	for (const secret of secrets) {
		if (!secret || secret.length < 4) continue;
		result = result.split(secret).join('[redacted]');
	}
	// Tokens can also leak through URLs (Graph API paging links carry access_token=...).
	return result.replace(/(access_token=)[^&\s"']+/gi, '$1[redacted]');
}
