import { z } from 'zod';
import { AREAS, ROLES } from './access.js';

const username = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/, '1-64 letters, digits, . _ @ -');
const password = z.string().min(12, 'at least 12 characters').max(200);
export const role = z.enum(ROLES);

export const CredentialsBody = z.object({ username, password });
export const LoginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(200) });
export const CreateUserBody = z.object({ username, password, role });
export const UpdateUserBody = z.object({ role: role.optional(), disabled: z.boolean().optional(), password: password.optional() });
export const CreateTokenBody = z.object({
  name: z.string().min(1).max(100),
  role,
  scopes: z.array(z.union([z.literal('*'), z.enum(AREAS)])).default(['*']),
  expiresInSeconds: z.number().int().positive().max(10 * 365 * 86400).optional(),
});
