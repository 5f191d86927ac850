/**
 * `node:fs` for the browser-mode suite (vitest.browser.config.ts aliases it here): the numeric
 * tests read their golden fixtures synchronously (`readFileSync("test/golden/...")`,
 * `readFileSync(new URL("../golden/...", import.meta.url))`), and in the browser those files are
 * on the Vite server that serves the tests, at the same paths. This reads them with a synchronous
 * XMLHttpRequest, so the tests run unchanged.
 *
 * The browser's file system here is test/golden/, read-only: `existsSync` answers for it (and
 * false elsewhere, where nothing in a page can have written a file), `readFileSync` reads it and
 * throws ENOENT for any other path, and every other fs function is missing, so a test file that
 * writes files fails to load rather than pass vacuously. (Such files are excluded by the config.)
 */

const FIXTURES = "/test/golden/";

/** The server path of a fixture, or null for a path outside test/golden. */
function serverPath(path: string | URL): string | null {
  let p: string;
  if (path instanceof URL || /^[a-z]+:\/\//i.test(String(path))) {
    p = decodeURIComponent(new URL(path).pathname);
  } else {
    p = "/" + String(path).replace(/^\.\//, "");
  }
  // A URL of a file outside the server's root comes as /@fs/<absolute path>.
  const at = p.indexOf(FIXTURES);
  return at >= 0 && !p.includes("/../") ? p.slice(at) : null;
}

function request(path: string, method: "GET" | "HEAD"): XMLHttpRequest {
  const xhr = new XMLHttpRequest();
  xhr.open(method, path, false);
  // Bytes, not text: a synchronous request cannot ask for an ArrayBuffer.
  xhr.overrideMimeType("text/plain; charset=x-user-defined");
  xhr.send();
  return xhr;
}

function enoent(path: string | URL): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${String(path)}'`), { code: "ENOENT" });
}

export function existsSync(path: string | URL): boolean {
  const p = serverPath(path);
  return p !== null && request(p, "HEAD").status === 200;
}

export function readFileSync(path: string | URL, options?: string | { encoding?: string | null }): Uint8Array | string {
  const p = serverPath(path);
  if (p === null) throw enoent(path);
  const xhr = request(p, "GET");
  if (xhr.status !== 200) throw enoent(path);
  const text = xhr.responseText;
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i) & 0xff;
  const encoding = typeof options === "string" ? options : options?.encoding;
  return encoding ? new TextDecoder(encoding === "utf8" ? "utf-8" : encoding).decode(bytes) : bytes;
}

export default { existsSync, readFileSync };
