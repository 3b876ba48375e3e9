/** Every type, field, argument, input field and enum value of the schema has a description. */
import {
  buildSchema as buildSdl,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedDirective,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { buildSchema } from '../../src/schema/index.js';

const described = (text: string | null | undefined) => typeof text === 'string' && text.trim().length > 0;

/** The schema coordinates (Type, Type.field, Type.field(arg:), Enum.VALUE, @directive(arg:)) without a description. */
function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const check = (coordinate: string, text: string | null | undefined) => {
    if (!described(text)) missing.push(coordinate);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    check(type.name, type.description);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        check(`${type.name}.${field.name}`, field.description);
        for (const arg of field.args) check(`${type.name}.${field.name}(${arg.name}:)`, arg.description);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) check(`${type.name}.${field.name}`, field.description);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) check(`${type.name}.${value.name}`, value.description);
    }
  }
  for (const directive of schema.getDirectives().filter((d) => !isSpecifiedDirective(d))) {
    check(`@${directive.name}`, directive.description);
    for (const arg of directive.args) check(`@${directive.name}(${arg.name}:)`, arg.description);
  }
  return missing.sort();
}

describe('schema descriptions', () => {
  it('describes every type, field, argument, input field and enum value', () => {
    expect(undescribed(buildSchema())).toEqual([]);
  });

  it('names each element that has none', () => {
    const schema = buildSdl(`
      "Described." type Query { "Described." a(x: Int, "Described." y: Int): Int b: E }
      enum E { "Described." ON OFF }
      input I { "Described." p: Int q: Int }
      "Described." type Mutation { "Described." set("Described." input: I): Int }
      directive @tag(name: String) on FIELD_DEFINITION
    `);
    expect(undescribed(schema)).toEqual(['@tag', '@tag(name:)', 'E', 'E.OFF', 'I', 'I.q', 'Query.a(x:)', 'Query.b']);
  });
});
