// Components (folders under src/) may use each other only through their index.ts, and never in a cycle.
module.exports = {
  forbidden: [
    { name: 'no-circular', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'only-through-index',
      comment: 'A component reaches another component only through that component\'s index.ts.',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/([^/]+)/', pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$'] },
    },
    {
      name: 'tests-through-index',
      severity: 'error',
      from: { path: '^(test|bench)/' },
      to: { path: '^src/[^/]+/.+', pathNot: '^src/[^/]+/(index|testing)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
