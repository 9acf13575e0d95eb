// Lets a test start the service as its own process from the TypeScript sources (no build needed): each .ts file is
// transpiled on load, without type checking (`npm test` type-checks first).
const fs = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, resolveJsonModule: true, inlineSourceMap: true },
  });
  module._compile(outputText, filename);
};
