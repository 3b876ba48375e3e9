import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

describe('pinned transport over HTTPS', () => {
  it('connects to the validated IP, yet sends SNI and verifies the certificate for the URL host name', async () => {
    // A child process, because the test CA must be trusted from start-up (NODE_EXTRA_CA_CERTS).
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', fixture('https-pinned.ts')], {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: fixture('tls-cert.pem') },
      timeout: 20_000,
    });
    const { results, seen } = JSON.parse(stdout.trim().split('\n').pop() as string) as {
      results: Record<string, string | number>;
      seen: { host: string; servername: string }[];
    };
    // hooks.example.test exists in no DNS: reaching it proves the pinned address was used.
    expect(results['hooks.example.test']).toBe(200);
    // Same IP, but the certificate is not for this name: refused, as without pinning.
    expect(results['other.example.test']).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(seen).toEqual([{ host: expect.stringMatching(/^hooks\.example\.test:\d+$/), servername: 'hooks.example.test' }]);
  });
});
