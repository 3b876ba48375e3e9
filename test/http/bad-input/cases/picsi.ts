/** The bad-input corpus: picsi cases (PI-nn). */
import type { Audit } from '../audit.js';
import { TOO_LONG, NOT_HTTP, invalidOption, KNOWN_OPTIONS } from './fixtures.js';
import { upload } from '../target.js';

export const PICSI_AUDITS: Audit[] = [
  // --- picsi fields ---------------------------------------------------------------------------
  {
    id: 'PI-01',
    level: 'MUST',
    group: 'picsi',
    name: 'replyUrl over 1024 characters',
    run: () => upload({ input: { replyUrl: `https://example.com/${'a'.repeat(1010)}` } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: TOO_LONG, field: 'replyUrl' },
  },

  {
    id: 'PI-02',
    level: 'MUST',
    group: 'picsi',
    name: 'replyRef over 1024 characters',
    run: () => upload({ input: { replyRef: 'r'.repeat(1025) } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: TOO_LONG, field: 'replyRef' },
  },

  {
    id: 'PI-03',
    level: 'MUST',
    group: 'picsi',
    name: 'replyUrl is not a URL',
    run: () => upload({ input: { replyUrl: 'not a url' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: NOT_HTTP, field: 'replyUrl' },
  },

  {
    id: 'PI-04',
    level: 'MUST',
    group: 'picsi',
    name: 'replyUrl with another scheme',
    run: () => upload({ input: { replyUrl: 'file:///etc/passwd' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: NOT_HTTP, field: 'replyUrl' },
  },

  {
    id: 'PI-05',
    level: 'MUST',
    group: 'picsi',
    name: 'replyUrl with credentials',
    run: () => upload({ input: { replyUrl: 'https://u:p@example.com/hook' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: 'replyUrl must not carry credentials', field: 'replyUrl' },
  },

  {
    id: 'PI-06',
    level: 'MUST',
    group: 'picsi',
    name: 'replyUrl on loopback',
    run: () => upload({ input: { replyUrl: 'http://127.0.0.1:9/hook' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^replyUrl is refused: 127\.0\.0\.1 is /, field: 'replyUrl' },
  },

  {
    id: 'PI-07',
    level: 'MUST',
    group: 'picsi',
    name: 'replyUrl on localhost',
    run: () => upload({ input: { replyUrl: 'http://localhost/hook' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^replyUrl is refused: localhost is a loopback name/, field: 'replyUrl' },
  },

  {
    id: 'PI-08',
    level: 'MUST',
    group: 'picsi',
    name: 'replyUrl on a private network',
    run: () => upload({ input: { replyUrl: 'http://10.1.2.3/hook' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^replyUrl is refused: 10\.1\.2\.3 is /, field: 'replyUrl' },
  },

  {
    id: 'PI-09',
    level: 'MUST',
    group: 'picsi',
    name: 'replyUrl on the metadata address',
    run: () => upload({ input: { replyUrl: 'http://169.254.169.254/latest/meta-data' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^replyUrl is refused: 169\.254\.169\.254 is /, field: 'replyUrl' },
  },

  {
    id: 'PI-10',
    level: 'MUST',
    group: 'picsi',
    name: 'options: unknown option',
    run: () => upload({ input: { options: '-m -z' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption(`unknown option "-z"; ${KNOWN_OPTIONS}`), field: 'options' },
  },

  {
    id: 'PI-11',
    level: 'MUST',
    group: 'picsi',
    name: 'options: -o out of range (0)',
    run: () => upload({ input: { options: '-o 0' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption('option "-o" value must be an integer from 1 to 1000 (got 0)') },
  },

  {
    id: 'PI-12',
    level: 'MUST',
    group: 'picsi',
    name: 'options: --oldify out of range (5000)',
    run: () => upload({ input: { options: '--oldify 5000' } }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: invalidOption('option "--oldify" value must be an integer from 1 to 1000 (got 5000)'),
    },
  },

  {
    id: 'PI-13',
    level: 'MUST',
    group: 'picsi',
    name: 'options: -e out of range (1001)',
    run: () => upload({ input: { options: '-e 1001' } }),
    expect: {
      status: 200,
      code: 'BAD_USER_INPUT',
      message: invalidOption('option "-e" value must be an integer from 1 to 1000 (got 1001)'),
    },
  },

  {
    id: 'PI-14',
    level: 'MUST',
    group: 'picsi',
    name: 'options: -y negative',
    run: () => upload({ input: { options: '-y -5' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption('option "-y" value must be an integer from 1 to 1000 (got -5)') },
  },

  {
    id: 'PI-15',
    level: 'MUST',
    group: 'picsi',
    name: 'options: a value on a flag that takes none',
    run: () => upload({ input: { options: '-m 5' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption('option "-m" takes no value (got 5)') },
  },

  {
    id: 'PI-16',
    level: 'MUST',
    group: 'picsi',
    name: 'options: a flag given twice (alias)',
    run: () => upload({ input: { options: '-o 10 --oldify 20' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption('option "--oldify" is given twice') },
  },

  {
    id: 'PI-17',
    level: 'MUST',
    group: 'picsi',
    name: 'options: a non-integer value',
    run: () => upload({ input: { options: '-e 2.5' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption(`unknown option "2.5"; ${KNOWN_OPTIONS}`) },
  },

  {
    id: 'PI-18',
    level: 'MUST',
    group: 'picsi',
    name: 'options: over 200 characters',
    run: () => upload({ input: { options: '-m '.repeat(70) } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: invalidOption('options must be at most 200 characters') },
  },

  {
    id: 'PI-19',
    level: 'MUST',
    group: 'picsi',
    name: 'unknown channel',
    run: () => upload({ input: { channel: '999999999999' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^Configuration not found for channel 999999999999/ },
  },

  {
    id: 'PI-20',
    level: 'MUST',
    group: 'picsi',
    name: 'garbage channel',
    run: () => upload({ input: { channel: '../../lease:*' } }),
    expect: { status: 200, code: 'BAD_USER_INPUT', message: /^Configuration not found for channel \.\.\/\.\.\/lease:\*/ },
  },

  {
    id: 'PI-21',
    level: 'MUST',
    group: 'picsi',
    name: 'bad mode enum',
    run: () => upload({ input: { mode: 'SLOW' } }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: 'Variable "$input" got invalid value "SLOW" at "input.mode"; Value "SLOW" does not exist in "WaitMode" enum.',
    },
  },

  {
    id: 'PI-22',
    level: 'MUST',
    group: 'picsi',
    name: 'wait is not a boolean',
    run: () => upload({ input: { wait: 'yes' } }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message: 'Variable "$input" got invalid value "yes" at "input.wait"; Boolean cannot represent a non boolean value: "yes"',
    },
  },

  {
    id: 'PI-23',
    level: 'MUST',
    group: 'picsi',
    name: 'unknown input field',
    run: () => upload({ input: { colour: 'red' } }),
    expect: {
      status: 400,
      code: 'BAD_USER_INPUT',
      message:
        'Variable "$input" got invalid value { sourceImage: <Upload>, targetImage: <Upload>, colour: "red" }; Field "colour" is not defined by type "PicsiInput".',
    },
  },
];
