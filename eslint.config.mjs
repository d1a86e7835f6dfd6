/**
 * Lint = n8n's own community-node rules for what ships as nodes (nodes/, credentials/, package.json), and
 * typescript-eslint for everything else we write (lib/, sandbox/, scripts/, test/).
 *
 * The first part is the composition of `configWithoutCloudSupport` from `@n8n/node-cli/eslint` (0.48.3, what
 * `n8n-node lint` runs for a package not submitted to n8n Cloud): @eslint/js + typescript-eslint recommended +
 * `@n8n/eslint-plugin-community-nodes` `recommendedWithoutN8nCloudSupport` + import-x, `no-console` an error, and
 * the `eslint-plugin-n8n-nodes-base` community / credentials / nodes rule sets with exactly the rules node-cli
 * turns off and no others. We compose it here instead of depending on @n8n/node-cli because that CLI pulls ~600
 * packages (700 MB, LangChain for its AI-node scaffolding) into every `npm install` for four rule packages.
 * "Without cloud support": our nodes open Redis sockets and SQLite files, which n8n Cloud's extra rules
 * (no-restricted-globals, no-restricted-imports) forbid; the package targets self-hosted n8n.
 */
import js from '@eslint/js';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';
import { globalIgnores } from 'eslint/config';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import jsdoc from 'eslint-plugin-jsdoc';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const communityNodes = n8nCommunityNodesPlugin.configs.recommendedWithoutN8nCloudSupport;
const shippedTs = ['nodes/**/*.ts', 'credentials/**/*.ts'];

export default tseslint.config(
	globalIgnores(['dist', 'node_modules', '.cache', '.demo', 'coverage']),

	// n8n's community-node config (non-cloud), as @n8n/node-cli composes it.
	{
		files: shippedTs,
		extends: [
			js.configs.recommended,
			tseslint.configs.recommended,
			communityNodes,
			importX.flatConfigs.recommended,
		],
		rules: {
			'prefer-spread': 'off',
			'no-console': 'error',
		},
	},
	{
		plugins: { 'n8n-nodes-base': n8nNodesBase },
		settings: { 'import-x/resolver-next': [createTypeScriptImportResolver()] },
	},
	{
		files: ['package.json'],
		extends: [communityNodes],
		rules: { ...n8nNodesBase.configs.community.rules },
		languageOptions: {
			parser: tseslint.parser,
			parserOptions: { extraFileExtensions: ['.json'] },
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
			'n8n-nodes-base/cred-class-field-type-options-password-missing': 'off',
		},
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-param-type-options-max-value-present': 'off',
		},
	},

	// Our own TypeScript outside the node entry points: the library the nodes are thin adapters over, the
	// Meta sandbox, scripts and tests.
	{
		files: ['lib/**/*.ts', 'sandbox/**/*.ts', 'scripts/**/*.ts', 'test/**/*.ts'],
		extends: [js.configs.recommended, tseslint.configs.recommended],
		languageOptions: { globals: globals.node },
	},
	// The library ships inside the nodes: no console output there either (n8n's logger is the nodes' business).
	{
		files: ['lib/**/*.ts'],
		rules: { 'no-console': 'error' },
	},
	// What the library exports says what it is in TSDoc next to its signature (the type says the rest), not in
	// prose summaries elsewhere that rot when a signature changes. @param names are checked against the code.
	{
		files: ['lib/**/*.ts'],
		plugins: { jsdoc },
		settings: { jsdoc: { mode: 'typescript' } },
		rules: {
			'jsdoc/require-jsdoc': [
				'error',
				{
					publicOnly: true,
					enableFixer: false,
					require: {
						FunctionDeclaration: true,
						ClassDeclaration: true,
						FunctionExpression: true,
					},
					contexts: [
						'TSInterfaceDeclaration',
						'VariableDeclaration > VariableDeclarator > ArrowFunctionExpression',
					],
				},
			],
			'jsdoc/check-param-names': 'error',
			'jsdoc/no-types': 'error',
		},
	},
	// Plain CommonJS scripts (n8n runtime helpers, build, tool configs) run by Node without a compile step.
	{
		files: ['scripts/**/*.js', '*.js'],
		extends: [js.configs.recommended],
		languageOptions: { sourceType: 'commonjs', globals: globals.node },
	},
	{
		files: ['scripts/**/*.mjs', '*.mjs'],
		extends: [js.configs.recommended],
		languageOptions: { sourceType: 'module', globals: globals.node },
	},
);
