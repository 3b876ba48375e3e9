/** A bare graphql-yoga hello-world server (P6's reference), run as its own process; prints its URL. */
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';

const yoga = createYoga({
  schema: createSchema({ typeDefs: 'type Query { hello: String! }', resolvers: { Query: { hello: () => 'world' } } }),
  logging: false,
  landingPage: false,
});
const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  console.log(JSON.stringify({ msg: 'ready', url: `http://127.0.0.1:${address.port}/graphql` }));
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
