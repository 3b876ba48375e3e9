// `npm run build`, after tsc: copies what src/ holds besides TypeScript (the web page, Lua scripts)
// to dist/, where the compiled modules look for them beside themselves.
import { cpSync } from 'node:fs';

cpSync('src', 'dist', { recursive: true, filter: (path) => !path.endsWith('.ts') });
