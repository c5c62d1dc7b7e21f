// Node 20 has a global fetch, and Emscripten 3.1.6's loader would use it to read the .wasm
// by URL, which node cannot; under node this shadows it so the loader reads the file.
var fetch = (typeof process === 'object' && process.versions && process.versions.node) ? undefined : globalThis.fetch;
