/**
 * /picsi option flags as the simulated bot accepts them: the flags the hosted API documents (the
 * real bot owns the truth). A flag with `range` may be followed by an integer in that range.
 */
const FLAGS: Readonly<Record<string, { range?: readonly [number, number] }>> = {
  '-m': {},
  '--shut': {},
  '--ch': {},
  '--hl': {},
  '-f': {},
  '-s': {},
  '-e': { range: [1, 1000] },
  '-o': { range: [1, 1000] },
  '--oldify': { range: [1, 1000] },
  '-y': { range: [1, 1000] },
  '-a': {},
  '-x': {},
};

/** True when every token is a known flag, with in-range integer values where given. */
export function optionsAreValid(text: string | undefined): boolean {
  const tokens = (text ?? '')
    .trim()
    .split(/\s+/)
    .filter((t) => t !== '');
  for (let i = 0; i < tokens.length; i += 1) {
    const flag = FLAGS[tokens[i] ?? ''];
    if (!flag) return false;
    const next = tokens[i + 1];
    if (flag.range && next !== undefined && /^-?\d+$/.test(next)) {
      const value = Number(next);
      if (value < flag.range[0] || value > flag.range[1]) return false;
      i += 1;
    }
  }
  return true;
}
