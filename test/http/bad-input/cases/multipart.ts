/** The bad-input corpus: multipart cases (MP-nn). */
import type { Audit } from '../audit.js';
import { makePngOfSize } from '../../../helpers/images.js';
import { mp4, MISSING_UPLOAD, NOT_A_FILE, malformed, notAnImage, PNG_SIGNATURE, pngHeader, jpegHeader, tooManyPixels } from './fixtures.js';
import {
  USER,
  MAX_FILE,
  MAX_FIELD,
  MAX_FILES,
  SPEC,
  target,
  BOUNDARY,
  multipartBody,
  pngPart,
  picsiOperations,
  standardMap,
  multipart,
  upload,
  rawHttp,
} from '../target.js';

export const MULTIPART_AUDITS: Audit[] = [
  // --- multipart: the request's structure -------------------------------------------------
  {
    id: 'MP-01',
    level: 'MUST',
    group: 'multipart',
    name: 'empty multipart body (no operations field at all)',
    run: () => multipart([]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Missing multipart field ‘operations’ (${SPEC}).`) },
  },

  {
    id: 'MP-02',
    level: 'MUST',
    group: 'multipart',
    name: 'no operations field: map comes first',
    run: () => multipart([{ name: 'map', value: standardMap }, pngPart('0'), pngPart('1')]),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(`Disordered multipart fields; ‘map’ should follow ‘operations’ (${SPEC}).`),
    },
  },

  {
    id: 'MP-03',
    level: 'MUST',
    group: 'multipart',
    name: 'files only (no operations, no map)',
    run: () => multipart([pngPart('0'), pngPart('1')]),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(`Missing multipart field ‘map’ before the first file: send ‘operations’, then ‘map’, then the files (${SPEC}).`),
    },
  },

  {
    id: 'MP-04',
    level: 'MUST',
    group: 'multipart',
    name: 'operations is not JSON',
    run: () =>
      multipart([{ name: 'operations', value: '{"query": mutation' }, { name: 'map', value: standardMap }, pngPart('0'), pngPart('1')]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Invalid JSON in the ‘operations’ multipart field (${SPEC}).`) },
  },

  {
    id: 'MP-05',
    level: 'MUST',
    group: 'multipart',
    name: 'operations is a JSON string, not an object',
    run: () =>
      multipart([{ name: 'operations', value: '"mutation { picsi }"' }, { name: 'map', value: standardMap }, pngPart('0'), pngPart('1')]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Invalid type for the ‘operations’ multipart field (${SPEC}).`) },
  },

  {
    id: 'MP-06',
    level: 'MUST',
    group: 'multipart',
    name: 'operations is null',
    run: () => multipart([{ name: 'operations', value: 'null' }, { name: 'map', value: standardMap }, pngPart('0'), pngPart('1')]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Invalid type for the ‘operations’ multipart field (${SPEC}).`) },
  },

  {
    id: 'MP-07',
    level: 'MUST',
    group: 'multipart',
    name: 'operations.query is a number',
    run: () =>
      multipart([
        { name: 'operations', value: JSON.stringify({ query: 42, variables: {} }) },
        { name: 'map', value: '{}' },
      ]),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'Expected "query" param to be a string, but given number.' },
  },

  {
    id: 'MP-08',
    level: 'MUST',
    group: 'multipart',
    name: 'operations without a query',
    run: () =>
      multipart([
        { name: 'operations', value: JSON.stringify({ variables: {} }) },
        { name: 'map', value: '{}' },
      ]),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'Must provide query string.' },
  },

  {
    id: 'MP-09',
    level: 'MUST',
    group: 'multipart',
    name: 'missing map',
    run: () => multipart([{ name: 'operations', value: picsiOperations() }, pngPart('0'), pngPart('1')]),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(`Missing multipart field ‘map’ before the first file: send ‘operations’, then ‘map’, then the files (${SPEC}).`),
    },
  },

  {
    id: 'MP-10',
    level: 'MUST',
    group: 'multipart',
    name: 'missing map (operations only)',
    run: () => multipart([{ name: 'operations', value: picsiOperations() }]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Missing multipart field ‘map’ (${SPEC}).`) },
  },

  {
    id: 'MP-11',
    level: 'MUST',
    group: 'multipart',
    name: 'map is not JSON',
    run: () => upload({ map: '{0: [variables.input.sourceImage]' }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Invalid JSON in the ‘map’ multipart field (${SPEC}).`) },
  },

  {
    id: 'MP-12',
    level: 'MUST',
    group: 'multipart',
    name: 'map is an array',
    run: () => upload({ map: '[["variables.input.sourceImage"]]' }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed(`Invalid type for the ‘map’ multipart field (${SPEC}).`) },
  },

  {
    id: 'MP-13',
    level: 'MUST',
    group: 'multipart',
    name: 'map entry is not an array',
    run: () => upload({ map: '{"0": "variables.input.sourceImage"}' }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(`Invalid type for the ‘map’ multipart field entry key ‘0’ array (${SPEC}).`),
    },
  },

  {
    id: 'MP-14',
    level: 'MUST',
    group: 'multipart',
    name: 'map path is not a string',
    run: () => upload({ map: '{"0": [7]}' }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(`Invalid type for the ‘map’ multipart field entry key ‘0’ array index ‘0’ value (${SPEC}).`),
    },
  },

  {
    id: 'MP-15',
    level: 'MUST',
    group: 'multipart',
    name: 'map to a variable path that does not exist',
    run: () => upload({ map: '{"0": ["variables.input.sourceImage"], "1": ["variables.input.nope"]}' }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(
        `Invalid object path for the ‘map’ multipart field entry key ‘1’ array index ‘0’ value ‘variables.input.nope’ (${SPEC}).`,
      ),
    },
  },

  {
    id: 'MP-16',
    level: 'MUST',
    group: 'multipart',
    name: 'the same variable path mapped twice',
    run: () => upload({ map: '{"0": ["variables.input.sourceImage"], "1": ["variables.input.sourceImage"]}' }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: malformed(
        `Invalid object path for the ‘map’ multipart field entry key ‘1’ array index ‘0’ value ‘variables.input.sourceImage’ (${SPEC}).`,
      ),
    },
  },

  {
    id: 'MP-17',
    level: 'MUST',
    group: 'multipart',
    name: 'map references a file part that is absent',
    run: () => upload({ files: [pngPart('0')] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: MISSING_UPLOAD, field: 'target_image_gif_or_video' },
  },

  {
    id: 'MP-18',
    level: 'MUST',
    group: 'multipart',
    name: 'mapped part is a text field, not a file',
    run: () => upload({ files: [pngPart('0'), { name: '1', value: 'not a file' }] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: MISSING_UPLOAD, field: 'target_image_gif_or_video' },
  },

  {
    id: 'MP-19',
    level: 'MUST',
    group: 'multipart',
    name: 'more map entries than UPLOAD_MAX_FILES',
    run: () =>
      upload({
        map: '{"0": ["variables.input.sourceImage"], "1": ["variables.input.targetImage"], "2": ["variables.input.replyRef"]}',
        files: [pngPart('0'), pngPart('1'), pngPart('2')],
      }),
    expect: { status: 413, code: 'REQUEST_ENTITY_TOO_LARGE', message: malformed(`${MAX_FILES} max file uploads exceeded.`) },
  },

  {
    id: 'MP-20',
    level: 'SHOULD',
    group: 'multipart',
    name: 'extra unmapped file parts are ignored (spec) and the job is accepted',
    run: () => upload({ files: [pngPart('0'), pngPart('1'), pngPart('extra')] }),
    expect: { status: 200, code: null, jobStatus: /QUEUED|STARTED|COMPLETED/ },
  },

  {
    id: 'MP-21',
    level: 'SHOULD',
    group: 'multipart',
    name: 'one file mapped to both variables is accepted (spec)',
    run: () => upload({ map: '{"0": ["variables.input.sourceImage", "variables.input.targetImage"]}', files: [pngPart('0')] }),
    expect: { status: 200, code: null, jobStatus: /QUEUED|STARTED|COMPLETED/ },
  },

  {
    id: 'MP-22',
    level: 'MUST',
    group: 'multipart',
    name: 'sourceImage is a string variable (not mapped to a file)',
    run: () => upload({ input: { sourceImage: 'face.png' }, map: '{"1": ["variables.input.targetImage"]}', files: [pngPart('1')] }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: NOT_A_FILE },
  },

  {
    id: 'MP-23',
    level: 'MUST',
    group: 'multipart',
    name: 'sourceImage is an object variable',
    run: () =>
      upload({ input: { sourceImage: { path: '/etc/passwd' } }, map: '{"1": ["variables.input.targetImage"]}', files: [pngPart('1')] }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: NOT_A_FILE },
  },

  {
    id: 'MP-24',
    level: 'MUST',
    group: 'multipart',
    name: 'missing targetImage (null, not mapped)',
    run: () => upload({ map: '{"0": ["variables.input.sourceImage"]}', files: [pngPart('0')] }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: MISSING_UPLOAD },
  },

  {
    id: 'MP-25',
    level: 'MUST',
    group: 'multipart',
    name: 'empty target file',
    run: () => upload({ files: [pngPart('0'), pngPart('1', Buffer.alloc(0))] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: MISSING_UPLOAD, field: 'target_image_gif_or_video' },
  },

  {
    id: 'MP-26',
    level: 'MUST',
    group: 'multipart',
    name: 'a text file disguised as image/png',
    run: () => upload({ files: [pngPart('0'), pngPart('1', Buffer.from('this is plain text, honest.'), 'target.png', 'image/png')] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: notAnImage('plain text', 'image/png'), field: 'target_image_gif_or_video' },
  },

  {
    id: 'MP-27',
    level: 'MUST',
    group: 'multipart',
    name: 'a tiny (< 12 bytes) non-image file',
    run: () => upload({ files: [pngPart('0'), pngPart('1', Buffer.from('hi'), 'hi.png', 'image/png')] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: notAnImage('plain text', 'image/png'), field: 'target_image_gif_or_video' },
  },

  {
    id: 'MP-28',
    level: 'MUST',
    group: 'multipart',
    name: 'a video (mp4 magic bytes)',
    run: () => upload({ files: [pngPart('0'), pngPart('1', mp4, 'clip.mp4', 'video/mp4')] }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: notAnImage('an MP4/MOV video', 'video/mp4'),
      field: 'target_image_gif_or_video',
    },
  },

  {
    id: 'MP-29',
    level: 'MUST',
    group: 'multipart',
    name: 'a PDF declared as image/jpeg',
    run: () => upload({ files: [pngPart('0'), pngPart('1', Buffer.from('%PDF-1.7\n%âãÏÓ\n1 0 obj'), 'scan.jpg', 'image/jpeg')] }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: notAnImage('a PDF document', 'image/jpeg'),
      field: 'target_image_gif_or_video',
    },
  },

  {
    id: 'MP-30',
    level: 'MUST',
    group: 'multipart',
    name: 'a 12000×12000 JPEG (decompression bomb) is refused from its header',
    run: () => upload({ files: [pngPart('0'), pngPart('1', jpegHeader(12000, 12000), 'bomb.jpg', 'image/jpeg')] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: tooManyPixels('12000×12000', 144), field: 'target_image_gif_or_video' },
  },

  {
    id: 'MP-31',
    level: 'MUST',
    group: 'multipart',
    name: 'a 100000×100000 PNG (decompression bomb) is refused from its header',
    run: () => upload({ files: [pngPart('0'), pngPart('1', pngHeader(100_000, 100_000), 'bomb.png')] }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: tooManyPixels('100000×100000', 10_000), field: 'target_image_gif_or_video' },
  },

  {
    id: 'MP-32',
    level: 'MUST',
    group: 'multipart',
    name: 'a PNG signature without an IHDR header',
    run: () =>
      upload({
        files: [pngPart('0'), pngPart('1', Buffer.concat([PNG_SIGNATURE, Buffer.from('not a chunk at all, just text')]), 'broken.png')],
      }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message:
        'Param target_image_gif_or_video is not a readable image/png image: its header holds no image size (truncated or corrupt file)',
      field: 'target_image_gif_or_video',
    },
  },

  {
    id: 'MP-33',
    level: 'MUST',
    group: 'multipart',
    name: 'oversize file',
    run: async () => upload({ files: [pngPart('0'), pngPart('1', await makePngOfSize(MAX_FILE * 2))] }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: `Param target_image_gif_or_video exceeds the upload size limit of ${MAX_FILE} bytes`,
      field: 'target_image_gif_or_video',
    },
  },

  {
    id: 'MP-34',
    level: 'MUST',
    group: 'multipart',
    name: 'huge operations field',
    run: () =>
      multipart([
        { name: 'operations', value: picsiOperations({ replyRef: 'r'.repeat(MAX_FIELD) }) },
        { name: 'map', value: standardMap },
        pngPart('0'),
        pngPart('1'),
      ]),
    expect: {
      status: 413,
      code: 'REQUEST_ENTITY_TOO_LARGE',
      message: malformed(`The ‘operations’ multipart field value exceeds the ${MAX_FIELD} byte size limit.`),
    },
  },

  {
    id: 'MP-35',
    level: 'MUST',
    group: 'multipart',
    name: 'huge map field',
    run: () =>
      upload({
        map: JSON.stringify({ 0: ['variables.input.sourceImage'], 1: ['variables.input.targetImage'], pad: 'x'.repeat(MAX_FIELD) }),
      }),
    expect: {
      status: 413,
      code: 'REQUEST_ENTITY_TOO_LARGE',
      message: malformed(`The ‘map’ multipart field value exceeds the ${MAX_FIELD} byte size limit.`),
    },
  },

  {
    id: 'MP-36',
    level: 'MUST',
    group: 'multipart',
    name: 'truncated body: ends mid-file without the closing boundary',
    run: () => {
      const full = multipartBody(
        [{ name: 'operations', value: picsiOperations() }, { name: 'map', value: standardMap }, pngPart('0'), pngPart('1')],
        { close: false },
      );
      const body = full.subarray(0, full.length - Math.floor(target.png.length / 2));
      return rawHttp(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${body.length}\r\nx-graphql-yoga-csrf: 1\r\nAuthorization: Bearer ${USER}\r\nConnection: close\r\n\r\n`,
        body,
      );
    },
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: 'Param target_image_gif_or_video could not be read: the upload was interrupted',
      field: 'target_image_gif_or_video',
    },
  },

  {
    id: 'MP-37',
    level: 'MUST',
    group: 'multipart',
    name: 'truncated body: the connection closes mid-file',
    run: () => {
      const full = multipartBody([
        { name: 'operations', value: picsiOperations() },
        { name: 'map', value: standardMap },
        pngPart('0'),
        pngPart('1'),
      ]);
      const body = full.subarray(0, full.length - Math.floor(target.png.length / 2));
      return rawHttp(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nContent-Length: ${full.length}\r\nx-graphql-yoga-csrf: 1\r\nAuthorization: Bearer ${USER}\r\n\r\n`,
        body,
        { destroyAfterWrite: true },
      );
    },
    // The client is gone: no response can reach it; the server must cope (checked after each case).
    expect: { status: null },
  },

  {
    id: 'MP-38',
    level: 'MUST',
    group: 'multipart',
    name: 'broken HTTP framing (invalid chunk size)',
    run: () =>
      rawHttp(
        `POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=${BOUNDARY}\r\nTransfer-Encoding: chunked\r\nx-graphql-yoga-csrf: 1\r\nAuthorization: Bearer ${USER}\r\n\r\n`,
        Buffer.from('zz\r\nnot a chunk\r\n0\r\n\r\n'),
      ),
    // Node's HTTP parser refuses it before any handler runs: 400 Bad Request, no body.
    expect: { status: 400, code: null },
  },

  {
    id: 'MP-39',
    level: 'MUST',
    group: 'multipart',
    // Yoga's body limit answers while the files still stream in: their temp files must go too.
    name: 'a huge extra text field (2 MB) before the files',
    run: () => upload({ files: [{ name: 'padding', value: 'p'.repeat(2 * 1024 * 1024) }, pngPart('0'), pngPart('1')] }),
    expect: { status: 413, code: 'REQUEST_ENTITY_TOO_LARGE', message: 'Request body too large' },
  },

  {
    id: 'MP-40',
    level: 'MUST',
    group: 'multipart',
    // The 401 is sent as soon as operations and map are parsed, before the file parts arrive.
    name: 'upload without a token, files after a 512 kB skipped field',
    run: () => upload({ token: null, files: [{ name: 'padding', value: 'p'.repeat(512 * 1024) }, pngPart('0'), pngPart('1')] }),
    expect: { status: 401, code: 'UNAUTHENTICATED', message: 'Unauthorized: send Authorization: Bearer <API token>' },
  },

  {
    id: 'MP-41',
    level: 'MUST',
    group: 'multipart',
    name: 'wrong boundary in the content-type',
    run: () => multipart(undefined, { contentType: 'multipart/form-data; boundary=not-the-boundary' }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed('Unexpected end of form') },
  },

  {
    id: 'MP-42',
    level: 'MUST',
    group: 'multipart',
    name: 'no boundary parameter',
    run: () => multipart(undefined, { contentType: 'multipart/form-data' }),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed('Multipart: Boundary not found') },
  },

  {
    id: 'MP-43',
    level: 'MUST',
    group: 'multipart',
    name: 'malformed part header',
    run: () =>
      multipart([
        { name: 'operations', value: picsiOperations(), rawHeaders: 'this is not a header\r\n' },
        { name: 'map', value: standardMap },
      ]),
    expect: { status: 400, code: 'BAD_USER_INPUT', message: malformed('Malformed part header') },
  },

  {
    id: 'MP-44',
    level: 'MUST',
    group: 'multipart',
    name: 'missing CSRF preflight header',
    run: () => multipart(undefined, { preflight: {} }),
    expect: {
      status: 400,
      code: 'CSRF_PREFLIGHT_REQUIRED',
      message:
        'POST requests with a form or text body (multipart, urlencoded, text/plain) must carry a non-empty x-graphql-yoga-csrf or apollo-require-preflight header (CSRF protection); JSON requests need none',
    },
  },

  {
    id: 'MP-45',
    level: 'MUST',
    group: 'multipart',
    name: 'empty CSRF preflight header',
    run: () => multipart(undefined, { preflight: { 'apollo-require-preflight': '' } }),
    expect: {
      status: 400,
      code: 'CSRF_PREFLIGHT_REQUIRED',
      message:
        'POST requests with a form or text body (multipart, urlencoded, text/plain) must carry a non-empty x-graphql-yoga-csrf or apollo-require-preflight header (CSRF protection); JSON requests need none',
    },
  },

  {
    id: 'MP-46',
    level: 'MUST',
    group: 'multipart',
    name: 'batched operations (a JSON array) in a multipart request',
    run: () =>
      multipart([
        { name: 'operations', value: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]) },
        { name: 'map', value: '{}' },
      ]),
    expect: { status: 400, code: 'BAD_REQUEST', message: 'Batching is not supported.' },
  },
];
