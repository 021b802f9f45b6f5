export interface ApiResponse<T = Record<string, unknown>> {
  status: number;
  body: T;
  headers: Headers;
}

/** A small HTTP client for one caller of a running platform (an API token, or none). */
export class Api {
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  async request<T = Record<string, unknown>>(
    method: string,
    pathname: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> {
    const res = await fetch(`${this.baseUrl}${pathname}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  }

  get<T = Record<string, unknown>>(pathname: string): Promise<ApiResponse<T>> {
    return this.request<T>('GET', pathname);
  }
  post<T = Record<string, unknown>>(
    pathname: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<ApiResponse<T>> {
    return this.request<T>('POST', pathname, body, headers);
  }
  patch<T = Record<string, unknown>>(pathname: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PATCH', pathname, body);
  }
  put<T = Record<string, unknown>>(pathname: string, body: unknown): Promise<ApiResponse<T>> {
    return this.request<T>('PUT', pathname, body);
  }

  delete(pathname: string): Promise<ApiResponse> {
    return this.request('DELETE', pathname);
  }
}

export interface PoolSetup {
  poolId: string;
  stateId: string;
  webhookId: string;
  webhookToken: string;
}

/** A lead pool with a default state and an ingress webhook, made through the Connect API by an admin. */
export async function createPoolWithWebhook(
  admin: Api,
  tableSchema?: Record<string, string>,
): Promise<PoolSetup> {
  const created = async (res: Promise<ApiResponse<{ id: string; token: string }>>, what: string) => {
    const { status, body } = await res;
    if (status !== 201) throw new Error(`${what}: ${status} ${JSON.stringify(body)}`);
    return body;
  };
  const pool = await created(admin.post('/connect/lead_pools', { name: 'Pool' }), 'lead pool');
  const state = await created(
    admin.post(`/connect/lead_pools/${pool.id}/lead_states`, { name: 'New', isDefault: true }),
    'lead state',
  );
  if (tableSchema) {
    const res = await admin.patch(`/connect/lead_pools/${pool.id}`, { tableSchema });
    if (res.status !== 200) throw new Error(`table schema: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const hook = await created(admin.post('/connect/ingress_webhooks', { tableId: pool.id }), 'webhook');
  return { poolId: pool.id, stateId: state.id, webhookId: hook.id, webhookToken: hook.token };
}
