import type { Http } from './http';

export const accountApi = (http: Http) => ({
  deleteAccount: (password: string) => http.delete<void>('/api/v1/me', { password }),
  requestPasswordReset: (email: string) => http.post<void>('/api/v1/auth/password-reset', { email }, { auth: 'none' }),
  confirmPasswordReset: (token: string, newPassword: string) =>
    http.post<void>('/api/v1/auth/password-reset/confirm', { token, newPassword }, { auth: 'none' }),
});
