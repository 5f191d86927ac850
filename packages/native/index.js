// Loads the prebuilt addon for this platform (prebuilds/<platform>-<arch>/torch_ts_native.node),
// or, in a checkout, the one node-gyp just built (build/Release). CommonJS, so that torch-ts can
// load it through createRequire without any bundler seeing it.
"use strict";

const path = require("node:path");

const name = "torch_ts_native.node";
const candidates = [
  path.join(__dirname, "prebuilds", `${process.platform}-${process.arch}`, name),
  path.join(__dirname, "build", "Release", name),
];

let lastError = null;
for (const file of candidates) {
  try {
    module.exports = require(file);
    lastError = null;
    break;
  } catch (error) {
    lastError = error;
  }
}
if (lastError) {
  const error = new Error(
    `torch-ts-native has no binary for ${process.platform}-${process.arch} ` +
      `(looked in prebuilds/ and build/Release/; run \`npm run build:native\` in torch-ts to build one)`,
  );
  error.code = "TORCH_TS_NATIVE_MISSING";
  error.cause = lastError;
  throw error;
}
