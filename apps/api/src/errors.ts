/** Framework-free errors of the API's use cases; http/error-filter.ts maps them (and the platform's) to HTTP/WS. */
export type AppErrorKind = 'unauthenticated' | 'forbidden' | 'not-found' | 'conflict' | 'invalid' | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}
