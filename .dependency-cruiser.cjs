/**
 * The layer rules of Site Twin, checked by `npm run lint` (dependency-cruiser). The house is mostly one-way:
 *
 *   bench -> server -> models <- client      (and tests may import anything)
 *
 * plus the seams inside server/ named in issue 17: HTTP only at its edge, the store below ingest / http / realtime,
 * the IFC worker pipeline free of the store and the live hub, the demo mounted only by the composition roots, and
 * Socket.IO's server only where sockets are owned. tests/server/lint/boundaries.test.ts holds each rule to a
 * deliberately forbidden import.
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'client-not-server',
      comment:
        'The client runs in the browser: it shares models/ with the server, never server code (bench -> server -> models <- client).',
      severity: 'error',
      from: { path: '^client/' },
      to: { path: '^(server|bench|tests)/' },
    },
    {
      name: 'models-import-nothing',
      comment: 'models/ is the shared vocabulary of client and server: it imports neither (nor bench or tests).',
      severity: 'error',
      from: { path: '^models/' },
      to: { path: '^(server|client|bench|tests|shaders)/' },
    },
    {
      name: 'models-no-node',
      comment:
        'Nothing in models/ touches Node (conventions: no DOM, Node or network): the browser imports the same file.',
      severity: 'error',
      from: { path: '^models/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'server-not-client',
      comment: 'The server does not import client or bench code (the client build is served as files, not imported).',
      severity: 'error',
      from: { path: '^server/' },
      to: { path: '^(client|bench|tests)/' },
    },
    {
      name: 'http-only-at-the-edge',
      comment:
        'server/http/ is the HTTP edge: only its own files and the composition root Server.ts import it. Errors are AppError (server/errors.ts), access policy in server/auth/.',
      severity: 'error',
      from: { path: '^server/', pathNot: '^server/(http/|Server\\.ts$)' },
      to: { path: '^server/http/' },
    },
    {
      name: 'store-below-the-edges',
      comment:
        'server/store/ is below ingest, http and realtime: it imports none of them (device secrets are in server/security/).',
      severity: 'error',
      from: { path: '^server/store/' },
      to: { path: '^server/(ingest|http|realtime)/' },
    },
    {
      name: 'ifc-pipeline-pure',
      comment:
        'The IFC worker pipeline runs in worker processes: it imports neither the store nor the live hub (it returns rows; the orchestration stores them).',
      severity: 'error',
      from: { path: '^server/ifc/(worker|pipeline)/' },
      to: { path: '^server/(store|realtime)/' },
    },
    {
      name: 'demo-only-from-the-roots',
      comment:
        'server/demo/ (seed, simulator, MJPEG, demo models) is mounted only by the composition roots, and only with the demo on.',
      severity: 'error',
      from: { path: '^server/', pathNot: '^server/(demo/|Server\\.ts$|main\\.ts$)' },
      to: { path: '^server/demo/' },
    },
    {
      name: 'socket-io-server-owned',
      comment:
        'Only the live hub emits to browsers (realtime/LiveHub.ts, its recovery buffer), Server.ts builds the Socket.IO server and ingest/socketDevices.ts owns the /devices namespace; everything else publishes through LivePublisher.',
      severity: 'error',
      from: {
        path: '^server/',
        pathNot: '^server/(realtime/(LiveHub|recoveryBuffer)\\.ts|Server\\.ts|ingest/socketDevices\\.ts)$',
      },
      to: { path: '^node_modules/socket\\.io/' },
    },
    {
      name: 'no-circular',
      comment:
        'No import cycle at run time (a type-only back edge, e.g. a probe typing its owner, is allowed outside models/).',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'models-no-circular',
      comment:
        'models/ has no import cycle at all, type-only ones included: one file per concept, imported in one direction.',
      severity: 'error',
      from: { path: '^models/' },
      to: { path: '^models/', circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // node_modules is not followed, but stays in the graph: `socket-io-server-owned` looks at imports of a package.
    exclude: { path: '^dist/' },
    // `import type` counts: a type import is still a dependency of the layer.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.json'],
    },
    cache: false,
  },
};
