/**
 * Global ids of the Node types (docs/api.md, "Node ids"). A Job's global id is its id as it always was,
 * the hosted API's `jobid` that REST answers and callbacks carry, so that one string names a job
 * everywhere. Every other Node type's is base64url("<Type>:<key>"). They never meet: job ids are
 * lower-case base 36 (src/jobs/ids.ts), and an encoded id starts with the base64 of a type name
 * whose first letter is upper-case ("Account:" → "QWNjb3VudDo").
 */
import { Buffer } from 'node:buffer';

/** The Node types whose global id is encoded, and the Node type of every other string. */
const ENCODED_TYPES: ReadonlySet<string> = new Set(['Account']);
const PLAIN_TYPE = 'Job';

export interface DecodedGlobalID {
  typename: string;
  id: string;
}

export function encodeGlobalID(typename: string, id: bigint | number | string): string {
  if (typename === PLAIN_TYPE) return String(id);
  if (!ENCODED_TYPES.has(typename)) throw new Error(`${typename} is not a Node type`);
  return Buffer.from(`${typename}:${String(id)}`, 'utf8').toString('base64url');
}

/** Never throws: a string that is no encoded id is read as a job id (and finds no job if it is none). */
export function decodeGlobalID(globalID: string): DecodedGlobalID {
  const text = Buffer.from(globalID, 'base64url').toString('utf8');
  const colon = text.indexOf(':');
  const typename = text.slice(0, colon);
  const canonical = Buffer.from(text, 'utf8').toString('base64url') === globalID;
  if (colon > 0 && canonical && ENCODED_TYPES.has(typename)) return { typename, id: text.slice(colon + 1) };
  return { typename: PLAIN_TYPE, id: globalID };
}
