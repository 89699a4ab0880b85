import type { Http } from './http';
import type { TokenResponse } from './session';

export interface RegisterRequest {
  username: string;
  email: string;
  password: string;
  displayName?: string;
}

export const authApi = (http: Http) => ({
  register: (request: RegisterRequest) => http.post<TokenResponse>('/api/v1/auth/register', request, { auth: 'none' }),
  login: (login: string, password: string) =>
    http.post<TokenResponse>('/api/v1/auth/login', { login, password }, { auth: 'none' }),
  refresh: (refreshToken: string) => http.post<TokenResponse>('/api/v1/auth/refresh', { refreshToken }, { auth: 'none' }),
  logout: (refreshToken: string) => http.post<void>('/api/v1/auth/logout', { refreshToken }, { auth: 'none' }),
});
