// What a native test file runs where the addon did not load: one skipped test that says why and
// which build step makes it, or under CI (whose build makes it) one failing test. One place, so
// the skip reads the same in every file.

import { describe, expect, it } from "vitest";
import { nativeUnavailableReason } from "../../src/backend/native/index.js";

/** Why native tests are skipped here. */
export const nativeMissingReason = `the native addon is not built (${nativeUnavailableReason}); npm run build:native builds it`;

/** A describe block `title` that fails under CI and is skipped (with the reason) elsewhere. */
export function describeNativeMissing(title: string): void {
  describe(title, () => {
    if (process.env.CI) it("is built", () => expect.fail(`the native addon did not load: ${nativeUnavailableReason}`));
    else it.skip(nativeMissingReason, () => {});
  });
}
