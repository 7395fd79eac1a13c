import { randomUUID } from 'node:crypto';
import type { Enterprise, EnterpriseCreate } from '../../models/Enterprise.js';
import type { Db } from './Db.js';
import { mapConstraintError } from './errors.js';

interface Row {
  id: string;
  name: string;
  credit_code: string | null;
  role: Enterprise['role'];
  created_at: number;
}

const toEnterprise = (r: Row): Enterprise => ({
  id: r.id,
  name: r.name,
  ...(r.credit_code ? { creditCode: r.credit_code } : {}),
  role: r.role,
  createdAt: Number(r.created_at),
});

/** Enterprises: contractors, developers, supervisors. */
export class EnterpriseRepo {
  constructor(private readonly db: Db) {}

  async list(): Promise<Enterprise[]> {
    return (await this.db.query<Row>('SELECT * FROM enterprises ORDER BY name')).rows.map(toEnterprise);
  }

  async get(id: string): Promise<Enterprise | null> {
    const r = await this.db.query<Row>('SELECT * FROM enterprises WHERE id = $1', [id]);
    return r.rows[0] ? toEnterprise(r.rows[0]) : null;
  }

  async findByName(name: string): Promise<Enterprise | null> {
    const r = await this.db.query<Row>('SELECT * FROM enterprises WHERE name = $1', [name]);
    return r.rows[0] ? toEnterprise(r.rows[0]) : null;
  }

  async create(e: EnterpriseCreate, id: string = randomUUID()): Promise<Enterprise> {
    try {
      const r = await this.db.query<Row>(
        'INSERT INTO enterprises (id, name, credit_code, role, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING *',
        [id, e.name, e.creditCode ?? null, e.role, Date.now()],
      );
      return toEnterprise(r.rows[0]!);
    } catch (err) {
      throw mapConstraintError(err);
    }
  }
}
