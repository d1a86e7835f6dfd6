import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Where the package's conversation store lives when a node's "Store" is Redis: needed in n8n queue mode
 * (webhooks and executions in different processes) and with several n8n instances. Nodes test it with a
 * real connection (nodes/common/store.ts, credentialTest), since Redis is not HTTP.
 */
export class WhatsAppStoreRedisApi implements ICredentialType {
	name = 'whatsAppStoreRedisApi';

	displayName = 'Redis (WhatsApp HSM Store)';

	documentationUrl = 'https://redis.io/docs/latest/operate/oss_and_stack/management/security/';

	icon = { light: 'file:whatsappStore.svg', dark: 'file:whatsappStore.dark.svg' } as const;

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
			required: true,
			description:
				'Host name or IP address of the Redis server (in queue mode, usually the same Redis n8n uses)',
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 6379,
			required: true,
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			description: 'Redis 6+ ACL user name; leave empty for the default user',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				"The Redis password (requirepass or the ACL user's password); leave empty when Redis has none",
		},
		{
			displayName: 'Database Number',
			name: 'database',
			type: 'number',
			default: 0,
			description: 'Redis logical database (0-15 on a default Redis)',
		},
		{
			displayName: 'SSL/TLS',
			name: 'tls',
			type: 'boolean',
			default: false,
			description: 'Whether to connect over TLS (managed Redis services usually require it)',
		},
		{
			displayName: 'Key Prefix',
			name: 'prefix',
			type: 'string',
			default: 'whatsapp-hsm:',
			description:
				'Prepended to every key this package writes, so it can share a Redis with n8n and other apps. Every n8n instance that must see the same contacts and campaigns needs the same prefix.',
		},
	];
}
