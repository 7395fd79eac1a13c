/** Which projects a query covers: all, a region (GB/T 2260 prefix), an enterprise's, one, or a list. */
export type ProjectScope =
  | { all: true }
  | { regionPrefix: string }
  | { enterpriseId: string }
  | { projectId: string }
  | { projectIds: readonly string[] };

/** A SQL condition on `projects p` for a scope, its parameter placed at `$index`. */
export function scopeCondition(scope: ProjectScope, index: number): { sql: string; params: unknown[] } {
  if ('projectIds' in scope) return { sql: `p.id::text = ANY($${index}::text[])`, params: [[...scope.projectIds]] };
  if ('projectId' in scope) return { sql: `p.id = $${index}`, params: [scope.projectId] };
  if ('enterpriseId' in scope) return { sql: `p.enterprise_id = $${index}`, params: [scope.enterpriseId] };
  if ('regionPrefix' in scope) return { sql: `p.region_code LIKE $${index}`, params: [`${scope.regionPrefix}%`] };
  return { sql: `$${index}::int = 1`, params: [1] };
}
