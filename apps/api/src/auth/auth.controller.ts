import { Controller, Delete, Get, Param, Patch, Post } from '@nestjs/common';
import type { z } from 'zod';
import { ApiRoute } from '../http/api-route.js';
import { Auth, Bearer } from '../http/request-context.js';
import { ZodBody } from '../http/zod-pipe.js';
import type { Principal } from './access.js';
import { CreateTokenBody, CreateUserBody, CredentialsBody, LoginBody, UpdateUserBody } from './auth.dto.js';
import { AuthService } from './auth.service.js';

@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Get('status')
  @ApiRoute('public', { summary: 'Whether the first admin exists yet' })
  status() {
    return this.auth.status();
  }

  @Post('bootstrap')
  @ApiRoute('public', { summary: 'Create the first admin; only while no user exists (409 afterwards)', body: CredentialsBody, status: 201 })
  bootstrap(@ZodBody(CredentialsBody) b: z.infer<typeof CredentialsBody>) {
    return this.auth.bootstrap(b.username, b.password);
  }

  @Post('login')
  @ApiRoute('public', { summary: 'Open a console session (Bearer pds_...)', body: LoginBody, status: 201 })
  login(@ZodBody(LoginBody) b: z.infer<typeof LoginBody>) {
    return this.auth.login(b.username, b.password);
  }

  @Post('logout')
  @ApiRoute({ role: 'viewer', area: 'self' }, { summary: 'End the current session', status: 201 })
  async logout(@Bearer() bearer: string) {
    return { loggedOut: (await this.auth.logout(bearer), true) };
  }

  @Get('me')
  @ApiRoute({ role: 'viewer', area: 'self' }, { summary: 'The caller' })
  me(@Auth() principal: Principal) {
    return this.auth.me(principal);
  }
}

@Controller('api/users')
export class UsersController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'Users' })
  async list() {
    return { users: await this.auth.listUsers() };
  }

  @Post()
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'Create a user', body: CreateUserBody, status: 201 })
  create(@ZodBody(CreateUserBody) b: z.infer<typeof CreateUserBody>) {
    return this.auth.createUser(b);
  }

  @Patch(':id')
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'Change role, disable, reset password (ends the user\'s sessions)', body: UpdateUserBody })
  update(@Auth() principal: Principal, @Param('id') id: string, @ZodBody(UpdateUserBody) b: z.infer<typeof UpdateUserBody>) {
    return this.auth.updateUser(principal, id, b);
  }
}

@Controller('api/tokens')
export class TokensController {
  constructor(private readonly auth: AuthService) {}

  @Get()
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'API tokens (never their secrets)' })
  async list() {
    return { tokens: await this.auth.listTokens() };
  }

  @Post()
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'Issue a scoped API token (Bearer pdt_...); the secret is shown once', body: CreateTokenBody, status: 201 })
  create(@Auth() principal: Principal, @ZodBody(CreateTokenBody) b: z.infer<typeof CreateTokenBody>) {
    return this.auth.createToken(principal, b);
  }

  @Delete(':id')
  @ApiRoute({ role: 'admin', area: 'admin' }, { summary: 'Revoke an API token' })
  revoke(@Param('id') id: string) {
    return this.auth.revokeToken(id);
  }
}
