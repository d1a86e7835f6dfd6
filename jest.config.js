/** One jest run covers unit, store, sandbox, engine and end-to-end tests (README's test command). */
module.exports = {
	testEnvironment: 'node',
	roots: ['<rootDir>/test'],
	testMatch: ['**/*.test.ts'],
	transform: {
		'^.+\\.ts$': ['ts-jest', { diagnostics: false }],
	},
	globalSetup: '<rootDir>/test/helpers/global-setup.ts',
	globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
	testTimeout: 60_000,
};
