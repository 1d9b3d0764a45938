/**
 * Duplicate keys in a JSON text. `JSON.parse` keeps the last of two equal keys; other parsers (a
 * proxy's, a WAF's, a log pipeline's) may keep the first, so a body with both could be read two
 * ways. RFC 8259 leaves it open; I-JSON (RFC 7493) forbids it, and so does this server.
 */

interface ObjectFrame {
  keys: Set<string>;
  /** The key whose value is being read (what a nested container is named after). */
  key: string;
  expectKey: boolean;
}

interface ArrayFrame {
  keys: null;
  index: number;
}

/**
 * The path (`owner.email`, `operations.2.op`) of the first key that appears twice in one object, at
 * any depth, or null. Keys are compared decoded, so `"a"` and `"\u0061"` are the same key.
 * `text` must be valid JSON (parse it first): this only tokenises it.
 */
export function duplicateKeyPath(text: string): string | null {
  const stack: (ObjectFrame | ArrayFrame)[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const start = i;
      // The closing quote is the first one preceded by an even number of backslashes.
      for (;;) {
        i = text.indexOf('"', i + 1);
        if (i === -1) return null; // not JSON: the caller's parse says so
        let backslashes = 0;
        while (text[i - 1 - backslashes] === '\\') backslashes++;
        if (backslashes % 2 === 0) break;
      }
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        const raw = text.slice(start, i + 1);
        const key = raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        if (top.keys.has(key)) return [...stack.slice(0, -1).map((frame) => (frame.keys ? frame.key : String(frame.index))), key].join('.');
        top.keys.add(key);
        top.key = key;
        top.expectKey = false;
      }
    } else if (ch === '{') {
      stack.push({ keys: new Set(), key: '', expectKey: true });
    } else if (ch === '[') {
      stack.push({ keys: null, index: 0 });
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
      else if (top) top.index++;
    }
  }
  return null;
}
