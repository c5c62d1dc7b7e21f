// The WASM test binary's view of the host's environment (a --pre-js of the tests only).
// Emscripten's getenv sees a fixed environment (its ENV object), not node's. Under node,
// before the C environment is built (a static constructor, after preRun), this copies each
// SAMOVAR_* variable into it, and for SAMOVAR_X_FILE=path also sets SAMOVAR_X to the file's
// text: ctest fixes a test's environment before its fixtures run, so what a fixture learns
// (the fetch tests' server port) can only reach the test through a file.
if (!Module['ENVIRONMENT_IS_PTHREAD'] && typeof process === 'object' && process.versions && process.versions.node) {
  Module['preRun'] = [].concat(Module['preRun'] || [], function samovarHostEnvironment() {
    if (typeof ENV === 'undefined') return;  // nothing in this build calls getenv
    for (var name in process.env) {
      if (name.indexOf('SAMOVAR_') !== 0) continue;
      ENV[name] = process.env[name];
      var file = /^(SAMOVAR_\w+)_FILE$/.exec(name);
      if (!file) continue;
      try {
        ENV[file[1]] = require('fs').readFileSync(process.env[name], 'utf8').trim();
      } catch (e) {
        err('samovar: ' + name + ': ' + e.message);
      }
    }
  });
}
