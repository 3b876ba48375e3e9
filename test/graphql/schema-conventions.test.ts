/**
 * The conventions a GraphQL client relies on, read off the executable schema: Node, conventional
 * connection names, one mutation style, the typed command; and the global ids behind node(id:).
 */
import {
  getNamedType,
  isEnumType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { BOT_COMMANDS } from '../../src/jobs/commands.js';
import { newJobId } from '../../src/jobs/ids.js';
import { decodeGlobalID, encodeGlobalID } from '../../src/schema/global-ids.js';
import { buildSchema } from '../../src/schema/index.js';

const schema = buildSchema();
const objectType = (name: string) => schema.getType(name) as GraphQLObjectType;
const typeString = (type: GraphQLOutputType) => String(type);
const ROOTS = new Set(['Query', 'Mutation', 'Subscription']);

describe('Node', () => {
  it('is an interface with one field, id: ID!, that Job and Account implement', () => {
    const node = schema.getType('Node');
    expect(isInterfaceType(node)).toBe(true);
    if (!isInterfaceType(node)) return;
    expect(Object.values(node.getFields()).map((f) => `${f.name}: ${typeString(f.type)}`)).toEqual(['id: ID!']);
    expect(schema.getPossibleTypes(node).map((t) => t.name)).toEqual(['Account', 'Job']);
  });

  it('is fetched by node(id: ID!): Node and nodes(ids: [ID!]!): [Node]!', () => {
    const query = objectType('Query').getFields();
    const signature = (field: GraphQLField<unknown, unknown> | undefined) =>
      field && `${field.args.map((a) => `${a.name}: ${String(a.type)}`).join(', ')} → ${typeString(field.type)}`;
    expect(signature(query['node'])).toBe('id: ID! → Node');
    expect(signature(query['nodes'])).toBe('ids: [ID!]! → [Node]!');
  });
});

describe('names', () => {
  it('leaves no generated name: no type is named after a root field', () => {
    const generated = Object.keys(schema.getTypeMap()).filter((name) => !ROOTS.has(name) && /^(Query|Mutation|Subscription)/.test(name));
    expect(generated).toEqual([]);
  });

  it('names every connection <Node>Connection, with edges [<Node>Edge!]! and pageInfo PageInfo!', () => {
    const connections = Object.values(schema.getTypeMap()).filter((t) => isObjectType(t) && 'pageInfo' in t.getFields());
    expect(connections.map((t) => t.name)).toEqual(['JobConnection']);
    for (const connection of connections as GraphQLObjectType[]) {
      const fields = connection.getFields();
      const edge = getNamedType(fields['edges']!.type) as GraphQLObjectType;
      const node = getNamedType(edge.getFields()['node']!.type);
      expect(connection.name).toBe(`${node.name}Connection`);
      expect(typeString(fields['edges']!.type)).toBe(`[${node.name}Edge!]!`);
      expect(typeString(fields['pageInfo']!.type)).toBe('PageInfo!');
      expect(Object.keys(edge.getFields()).sort()).toEqual(['cursor', 'node']);
    }
  });
});

describe('one mutation style', () => {
  const mutations = Object.values(objectType('Mutation').getFields());

  it('gives every mutation an input argument; any other argument is deprecated', () => {
    for (const field of mutations) {
      const input = field.args.find((a) => a.name === 'input');
      expect(input, field.name).toBeDefined();
      const others = field.args.filter((a) => a.name !== 'input');
      expect(
        others.filter((a) => !a.deprecationReason).map((a) => a.name),
        field.name,
      ).toEqual([]);
      // A deprecated argument must be optional, so `input` is optional only while some remain.
      expect(isNonNullType(input!.type), field.name).toBe(others.length === 0);
      expect(isListType(input!.type), field.name).toBe(false);
    }
  });

  it('keeps the loose arguments of the mutations that had them, deprecated', () => {
    const deprecated = Object.fromEntries(
      mutations.filter((f) => f.args.length > 1).map((f) => [f.name, f.args.filter((a) => a.name !== 'input').map((a) => a.name)]),
    );
    expect(deprecated).toEqual({
      cancelJob: ['id'],
      deleteAccount: ['channel'],
      deleteAllIds: ['channel', 'mode', 'replyRef', 'replyUrl', 'wait'],
      listIds: ['channel', 'mode', 'replyRef', 'replyUrl', 'wait'],
      pauseAccount: ['channel', 'note'],
      resumeAccount: ['channel'],
    });
  });
});

describe('Job.command', () => {
  it('is a non-null JobCommand with one value per bot command', () => {
    expect(typeString(objectType('Job').getFields()['command']!.type)).toBe('JobCommand!');
    const type = schema.getType('JobCommand');
    if (!isEnumType(type)) throw new Error('JobCommand is not an enum');
    const values = type.getValues().map((v) => [v.name, v.value]);
    expect(values).toEqual(BOT_COMMANDS.map((c) => [c.toUpperCase(), c]).sort(([a], [b]) => a!.localeCompare(b!)));
  });
});

describe('global ids', () => {
  it("is a job's id as it is, and reads any other string as a job id", () => {
    const id = newJobId();
    expect(encodeGlobalID('Job', id)).toBe(id);
    for (const text of [id, '', 'no-such-job', 'Account:123', '123456789012345678'])
      expect(decodeGlobalID(text)).toEqual({ typename: 'Job', id: text });
  });

  it("encodes an account's channel, opaquely, and decodes it back", () => {
    const globalID = encodeGlobalID('Account', '123456789012345678');
    expect(globalID).not.toContain('123456789012345678');
    expect(decodeGlobalID(globalID)).toEqual({ typename: 'Account', id: '123456789012345678' });
    // Not the canonical form of the same text (padding): a job id, like any other string.
    expect(decodeGlobalID(`${globalID}=`)).toEqual({ typename: 'Job', id: `${globalID}=` });
  });

  it('never reads a job id as an account id', () => {
    for (let i = 0; i < 1000; i++) expect(decodeGlobalID(newJobId(Date.now() + i * 7919)).typename).toBe('Job');
  });

  it('refuses to encode a type that is no Node', () => {
    expect(() => encodeGlobalID('Credits', 'x')).toThrow('Credits is not a Node type');
  });
});
