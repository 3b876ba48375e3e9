/** A file typed into a query (as in GraphiQL) is refused with words that point at the page and a multipart request. */
import { parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/index.js';

const schema = buildSchema();

describe('an Upload written into a query', () => {
  it('is refused with what to do instead', () => {
    const document = parse('mutation { picsi(input: { sourceImage: "face.png", targetImage: "target.png" }) { id } }');
    const messages = validate(schema, document).map((e) => e.message);
    expect(messages[0]).toMatch(/GraphiQL cannot send files: upload it as a multipart request\. The page at \/ does that for you/);
  });

  it('its type describes the multipart request, with a curl example', () => {
    expect(schema.getType('Upload')?.description).toMatch(/curl http:\/\/localhost:4000\/graphql -H 'x-graphql-yoga-csrf: 1'/);
  });
});
