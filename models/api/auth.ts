import { z } from 'zod';
import {
  AuditEntry,
  AuditQuery,
  LoginRequest,
  LoginResponse,
  PasswordChange,
  User,
  UserCreate,
  UserPatch,
} from '../User.js';
import { endpoint } from './contract.js';

/** `GET /auth/me`: the session's account, or `user: null` with `auth: 'off'` when the server runs without accounts. */
export const Me = z.object({ user: User.nullable(), auth: z.enum(['on', 'off']) });
export type Me = z.infer<typeof Me>;

/** Sessions (login sets an httpOnly cookie and answers the token too). */
export const auth = {
  login: endpoint({
    method: 'post',
    path: '/api/v1/auth/login',
    summary: 'Log in (sets the session cookie)',
    body: LoginRequest,
    response: LoginResponse,
    public: true,
  }),
  logout: endpoint({
    method: 'post',
    path: '/api/v1/auth/logout',
    summary: 'Log out (clears the session cookie)',
    status: [204],
    public: true,
  }),
  me: endpoint({ method: 'get', path: '/api/v1/auth/me', summary: 'The account of the session', response: Me }),
  password: endpoint({
    method: 'post',
    path: '/api/v1/auth/password',
    summary: 'Change your own password (ends your other sessions)',
    body: PasswordChange,
    response: LoginResponse,
  }),
};

/** Accounts and the audit log (admins). */
export const users = {
  list: endpoint({ method: 'get', path: '/api/v1/users', summary: 'Every account', response: z.array(User) }),
  create: endpoint({
    method: 'post',
    path: '/api/v1/users',
    summary: 'Create an account',
    body: UserCreate,
    response: User,
    status: [201],
  }),
  get: endpoint({ method: 'get', path: '/api/v1/users/:id', summary: 'One account', response: User }),
  update: endpoint({
    method: 'patch',
    path: '/api/v1/users/:id',
    summary: 'Change an account (name, password, grant, disabled)',
    body: UserPatch,
    response: User,
  }),
  delete: endpoint({
    method: 'delete',
    path: '/api/v1/users/:id',
    summary: 'Delete an account (not your own)',
    status: [204],
  }),
  audit: endpoint({
    method: 'get',
    path: '/api/v1/audit',
    summary: 'The audit log, newest first',
    query: AuditQuery,
    response: z.array(AuditEntry),
  }),
};
