// Fails `npm run build:browser` when the browser bundle (dist/browser/torch-ts.js, written by
// vite.lib.config.ts) imports a Node module: a `node:` specifier or a bare built-in name in an
// import, export-from, dynamic import or require call of its code (strings are not code: the
// WebAssembly thread pool carries its workers' source as text), or a Node built-in that the
// bundler replaced with its empty "__vite-browser-external" stub (it does that silently for a
// dependency whose package.json maps the module to false in its "browser" field).
//
// The one stub allowed is protobufjs's: src/util/fs.js requires "fs" inside a try and uses it only
// to read .proto files by path, which torch-ts never does (it builds ONNX's schema from JSON), and
// protobufjs's package.json declares `"browser": { "fs": false }` for it.
//
// Usage: node scripts/check-browser-bundle.mjs [bundle]   (default dist/browser/torch-ts.js)

import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { parseAst } from "vite";

const file = process.argv[2] ?? "dist/browser/torch-ts.js";
const code = readFileSync(file, "utf8");
const builtins = new Set(builtinModules.filter((m) => !m.startsWith("_")));
const ALLOWED_STUB_USERS = new Set(["node_modules/protobufjs/src/util/fs.js"]);

const problems = [];
const isNode = (specifier) => specifier.startsWith("node:") || builtins.has(specifier) || builtins.has(specifier.split("/")[0]);

// Every module specifier the bundle's code names, found in its syntax tree (so that source text
// inside strings, such as a worker's code that a Node worker_threads Worker evaluates, is not
// mistaken for an import of the bundle).
function visit(node) {
  if (node === null || typeof node !== "object") return;
  if (Array.isArray(node)) return node.forEach(visit);
  const literal = (n) => (n && n.type === "Literal" && typeof n.value === "string" ? n.value : null);
  let spec = null;
  if (node.type === "ImportDeclaration" || node.type === "ExportAllDeclaration" || node.type === "ExportNamedDeclaration") spec = literal(node.source);
  else if (node.type === "ImportExpression") spec = literal(node.source);
  else if (node.type === "CallExpression" && node.callee.type === "Identifier" && node.callee.name === "require") spec = literal(node.arguments[0]);
  if (spec !== null && isNode(spec)) problems.push(`${node.type} of "${spec}" at offset ${node.start}`);
  for (const key of Object.keys(node)) if (key !== "type") visit(node[key]);
}
visit(parseAst(code));

// Which bundled module calls each browser-external stub: the `// path` comment that the
// (unminified) bundle puts before every module names it.
const lines = code.split("\n");
let current = "(top)";
let stubs = 0;
for (const line of lines) {
  const header = /^\/\/ ((?:node_modules|src)\/\S+)$/.exec(line);
  if (header) current = header[1];
  if (/require___vite_browser_external\w*\(\)/.test(line)) {
    stubs++;
    if (!ALLOWED_STUB_USERS.has(current)) problems.push(`${current} uses a stubbed Node built-in (__vite-browser-external)`);
  }
}

if (problems.length > 0) {
  console.error(`${file}: the browser bundle reaches Node modules:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
const kib = (code.length / 1024).toFixed(0);
console.log(`${file}: ${kib} KiB, no Node import (${stubs} allowed stub use${stubs === 1 ? "" : "s"}: protobufjs's optional fs)`);
