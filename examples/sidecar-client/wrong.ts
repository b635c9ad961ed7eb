// Must not compile: a field the request does not have, and a node the sidecar does not serve.
import createClient from 'openapi-fetch';
import type { paths } from './gen/sidecar.js';

const client = createClient<paths>({ baseUrl: 'http://127.0.0.1:1' });
const connection = { domain: 'x', auth: { 'api-token': 't' } };
await client.POST('/v1/nodes/users.get-user', { body: { connection, input: { user_id: 'a' } } });
await client.POST('/v1/nodes/users.no-such-node', { body: { connection, input: {} } });
