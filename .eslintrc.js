/** n8n's community-node rules (eslint-plugin-n8n-nodes-base) for package.json, credentials and nodes. */
module.exports = {
	root: true,
	env: { browser: false, es6: true, node: true },
	parser: '@typescript-eslint/parser',
	parserOptions: { sourceType: 'module', extraFileExtensions: ['.json'] },
	ignorePatterns: ['.eslintrc.js', '**/*.js', '**/node_modules/**', '**/dist/**'],
	overrides: [
		{
			files: ['package.json'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/community'],
			rules: { 'n8n-nodes-base/community-package-json-name-still-default': 'off' },
		},
		{
			files: ['./credentials/**/*.ts'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/credentials'],
			rules: {
				'n8n-nodes-base/cred-class-field-documentation-url-missing': 'off',
				'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
				// "WhatsApp Cloud API (HSM)": the suffix tells it apart from n8n's own "WhatsApp API" (issue 13).
				'n8n-nodes-base/cred-class-field-display-name-missing-api': 'off',
				// The Webhook Verify Token is chosen by the user and must be read back to paste into Meta.
				'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
			},
		},
		{
			files: ['./nodes/**/*.ts'],
			plugins: ['eslint-plugin-n8n-nodes-base'],
			extends: ['plugin:n8n-nodes-base/nodes'],
			rules: {
				'n8n-nodes-base/node-execute-block-missing-continue-on-fail': 'error',
				'n8n-nodes-base/node-resource-description-filename-against-convention': 'off',
				'n8n-nodes-base/node-param-fixed-collection-type-unsorted-items': 'off',
				// n8n 2.x declares connections with NodeConnectionTypes.Main; these two rules predate it.
				'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
				'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
				// The Redis store credential is not an API credential ("Redis (WhatsApp HSM Store)").
				'n8n-nodes-base/node-class-description-credentials-name-unsuffixed': 'off',
				// Options listed by importance (technical ones last), not alphabetically: n8n shows them in this order.
				'n8n-nodes-base/node-param-collection-type-unsorted-items': 'off',
				// "Template" / "Default Language": the values are a template name and a language code, not "Name or ID".
				'n8n-nodes-base/node-param-display-name-wrong-for-dynamic-options': 'off',
				'n8n-nodes-base/node-param-description-wrong-for-dynamic-options': 'off',
			},
		},
	],
};
