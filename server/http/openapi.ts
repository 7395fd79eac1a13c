import { z } from 'zod';
import { WireError } from '../../models/errors.js';
import { allEndpoints, API_VERSION, paramNamesOf, type Schema } from '../../models/api/index.js';
import { SESSION_COOKIE } from '../auth/sessions.js';
import { SERVER_VERSION } from '../version.js';

type Json = Record<string, unknown>;

/** An Express path (`/a/:id`) as an OpenAPI path template (`/a/{id}`). */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');

/**
 * The OpenAPI 3.1 document of the REST contract (models/api). Schemas are converted with zod's own JSON Schema
 * output (2020-12, which OpenAPI 3.1 uses): request parts as their input type, answers as their output type. Each
 * schema becomes a component named after the operation (`projects.get.response`) so a recursive one (the IFC tree)
 * can refer to itself.
 */
export function openApiDocument(): Json {
  const schemas: Record<string, Json> = {};
  /** Converts one schema; `$defs` (shared or recursive parts) become components with a unique prefix. */
  const convert = (schema: Schema, io: 'input' | 'output', name: string): Json => {
    const js = z.toJSONSchema(schema, {
      target: 'draft-2020-12',
      io,
      unrepresentable: 'any',
      cycles: 'ref',
      reused: 'inline',
    }) as Json;
    delete js.$schema;
    const defs = (js.$defs ?? {}) as Record<string, Json>;
    delete js.$defs;
    const prefix = name;
    const self = `#/components/schemas/${prefix}`;
    const rewrite = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(rewrite);
      if (!v || typeof v !== 'object') return v;
      const o: Json = {};
      for (const [k, x] of Object.entries(v as Json)) {
        if (k === '$ref' && typeof x === 'string')
          o[k] =
            x === '#'
              ? self
              : x.replace(
                  /^#\/\$defs\/(.+)$/,
                  (_m, d: string) => `#/components/schemas/${prefix}.${d.replace(/[^A-Za-z0-9._-]/g, '_')}`,
                );
        else o[k] = rewrite(x);
      }
      return o;
    };
    for (const [d, s] of Object.entries(defs))
      schemas[`${prefix}.${d.replace(/[^A-Za-z0-9._-]/g, '_')}`] = rewrite(s) as Json;
    schemas[prefix] = rewrite(js) as Json;
    return { $ref: self };
  };
  /** The properties of an object schema's JSON Schema (a union's members merged), for query parameters. */
  const propsOf = (js: Json): { props: Record<string, Json>; required: Set<string> } => {
    const props: Record<string, Json> = { ...((js.properties ?? {}) as Record<string, Json>) };
    const required = new Set((js.required ?? []) as string[]);
    for (const alt of [
      ...((js.anyOf ?? []) as Json[]),
      ...((js.oneOf ?? []) as Json[]),
      ...((js.allOf ?? []) as Json[]),
    ]) {
      const p = propsOf(alt);
      Object.assign(props, p.props);
    }
    return { props, required };
  };

  const paths: Record<string, Record<string, Json>> = {};
  for (const { id, group, endpoint: e } of allEndpoints()) {
    const op: Json = { operationId: id, tags: [group], summary: e.summary };
    const parameters: Json[] = paramNamesOf(e.path).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: e.params?.[name]
        ? stripped(z.toJSONSchema(e.params[name]!, { io: 'input', unrepresentable: 'any' }) as Json)
        : { type: 'string' },
    }));
    if (e.query) {
      const js = z.toJSONSchema(e.query, { io: 'input', unrepresentable: 'any' }) as Json;
      const { props, required } = propsOf(js);
      for (const [name, schema] of Object.entries(props))
        parameters.push({ name, in: 'query', required: required.has(name), schema: stripped(schema) });
    }
    if (parameters.length) op.parameters = parameters;
    if (e.body) {
      const ref = convert(e.body, 'input', `${id}.body`);
      const content: Record<string, Json> = {};
      for (const type of e.consumes ?? ['application/json'])
        content[type] = {
          schema:
            type === 'application/json' || type === 'multipart/form-data'
              ? ref
              : { type: 'string', contentMediaType: type },
        };
      op.requestBody = { required: true, content };
    }
    const responses: Record<string, Json> = {};
    const ok = e.status ?? [200];
    for (const status of ok) {
      if (status === 204) {
        responses['204'] = { description: 'Done, no content' };
        continue;
      }
      const media = e.produces ?? 'application/json';
      const schema =
        e.response && (media === 'application/json' || media === 'application/geo+json')
          ? convert(e.response, 'output', `${id}.response`)
          : { type: 'string', contentMediaType: media };
      responses[String(status)] = { description: describe(status), content: { [media]: { schema } } };
    }
    responses.default = {
      description: 'An error with a stable code (models/errors.ts)',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/WireError' } } },
    };
    op.responses = responses;
    if (e.public) op.security = [];
    else if (e.deviceKey) op.security = [{ deviceKey: [] }];
    (paths[openApiPath(e.path)] ??= {})[e.method] = op;
  }
  schemas.WireError = stripped(z.toJSONSchema(WireError, { io: 'output', unrepresentable: 'any' }) as Json);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Site Twin REST API',
      version: `${API_VERSION}.${SERVER_VERSION}`,
      description:
        'Generated from the REST contract in models/api. Live updates are on the Socket.IO namespace /live (models/protocol.ts), not here.',
    },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { bearer: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        session: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'The session cookie set by POST /api/v1/auth/login',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'The session token answered by POST /api/v1/auth/login',
        },
        deviceKey: { type: 'http', scheme: 'bearer', description: "A device's API key (ingest)" },
      },
    },
  };
}

function stripped(js: Json): Json {
  const { $schema: _, ...rest } = js;
  return rest;
}

function describe(status: number): string {
  return (
    {
      200: 'OK',
      201: 'Created',
      202: 'Accepted: processed in the background',
      207: 'Partly refused: see rejected',
      503: 'Degraded',
    }[status] ?? 'OK'
  );
}
