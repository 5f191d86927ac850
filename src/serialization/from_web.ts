/**
 * The web's file objects as sources for `torch.load` and `torch.safetensors.load`: a `fetch`
 * `Response` and a `Blob` (a `File` from an `<input type="file">` or a drop is one).
 *
 * PyTorch's `torch.load(f)` takes a path or a file-like object and reads it synchronously. On the
 * web the file-like objects are these two, and their bytes can only be read asynchronously, so
 * given one, the loaders return a Promise; given bytes they stay synchronous, as PyTorch's:
 *
 * ```ts
 * const state = await torch.load(await fetch("model.pt"));             // Promise<unknown>
 * const tensors = await torch.safetensors.load(await fetch("model.safetensors"));
 * const fromPicker = await torch.load(input.files[0]);                 // a File
 * const fromBytes = torch.load(new Uint8Array(buffer));                 // no Promise
 * ```
 *
 * One name per PyTorch function (rather than a `load_async` beside `load`) keeps ported code
 * reading as PyTorch's: the `await` is the only difference, and awaiting the bytes form is
 * harmless, so `await torch.load(x)` works for every kind of `x`. The return type follows from
 * the argument's type, never from the state of the data, so a call is always sync or always
 * async.
 */

/** A web file object the loaders read asynchronously: a fetch `Response` or a `Blob` / `File`. */
export type WebFile = Response | Blob;

/**
 * Whether `f` is a Response or a Blob, by what the loaders use of it (`arrayBuffer()`): engines
 * and polyfills that have their own `Response` class (undici's in Node, a test double) pass too.
 */
export function isWebFile(f: unknown): f is WebFile {
  if (typeof f !== "object" || f === null) return false;
  if (f instanceof ArrayBuffer || ArrayBuffer.isView(f)) return false;
  return typeof (f as { arrayBuffer?: unknown }).arrayBuffer === "function";
}

function isResponse(f: WebFile): f is Response {
  return typeof (f as Response).ok === "boolean" && typeof (f as Response).status === "number";
}

/**
 * The bytes of a Response's body or a Blob. A failed HTTP response is refused with its status,
 * rather than parsed: a 404 page would otherwise surface as "invalid load key, '<'".
 *
 * `fn` names the caller in messages (`"torch.load"`).
 */
export async function readWebFile(f: WebFile, fn: string): Promise<Uint8Array> {
  if (isResponse(f)) {
    const where = f.url ? ` ${f.url}` : "";
    if (!f.ok) {
      throw new TypeError(`${fn}: the response for${where || " the request"} has HTTP status ${f.status}${f.statusText ? ` ${f.statusText}` : ""}, not a file's bytes`);
    }
    if (f.bodyUsed) {
      throw new TypeError(`${fn}: the body of the response${where} was already read; pass a fresh Response or response.clone()`);
    }
  }
  return new Uint8Array(await f.arrayBuffer());
}
