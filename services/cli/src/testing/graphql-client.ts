import { withCredential, type TestPlatform } from './test-platform';

/** A GraphQL answer over HTTP: the status, the headers and the `{data, errors, extensions}` body. */
export interface GraphqlResponse {
  status: number;
  headers: Headers;
  body: {
    // `any`: tests read deep into answers whose shape each query decides.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    data?: Record<string, any> | null;
    errors?: { message: string; extensions?: Record<string, unknown> }[];
    extensions?: Record<string, unknown>;
  };
}

/**
 * A query or mutation POSTed to `<queryApiUrl>/graphql` under a tenant (none: no X-Tenant-Id
 * header), with any other headers: the credential (`authorization`), X-Consistency-Token.
 */
export async function graphql(
  queryApiUrl: string,
  query: string,
  variables: Record<string, unknown> = {},
  tenant: string | undefined = 'acme',
  headers: Record<string, string> = {},
): Promise<GraphqlResponse> {
  const res = await fetch(`${queryApiUrl}/graphql`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      ...(tenant ? { 'X-Tenant-Id': tenant } : {}),
      ...headers,
    },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GraphqlResponse['body'] };
}

export interface GraphqlSubscription {
  status: number;
  contentType: string | null;
  /** The next event's payload (`{data}` or `{errors}`); undefined when none came within the timeout. */
  next(timeoutMs?: number): Promise<unknown>;
  close(): void;
}

/** A subscription over Server-Sent Events, with the credential in `headers`; it listens from the moment this resolves. */
export async function subscribe(
  queryApiUrl: string,
  query: string,
  tenant = 'acme',
  headers: Record<string, string> = {},
): Promise<GraphqlSubscription> {
  const abort = new AbortController();
  const res = await fetch(`${queryApiUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', 'X-Tenant-Id': tenant, ...headers },
    body: JSON.stringify({ query }),
    signal: abort.signal,
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const events: unknown[] = [];
  let buffer = '';
  const next = async (timeoutMs = 20_000): Promise<unknown> => {
    const deadline = Date.now() + timeoutMs;
    while (events.length === 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const chunk = await Promise.race([
        reader.read(),
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), deadline - Date.now()))),
      ]);
      clearTimeout(timer);
      if (!chunk || chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true });
      const complete = buffer.lastIndexOf('\n');
      // The `complete` event that ends a stream carries an empty data line.
      for (const line of buffer.slice(0, complete + 1).split('\n'))
        if (line.startsWith('data:') && line.slice(5).trim() !== '') events.push(JSON.parse(line.slice(5)));
      buffer = buffer.slice(complete + 1);
    }
    return events.shift();
  };
  return { status: res.status, contentType: res.headers.get('content-type'), next, close: () => abort.abort() };
}

/** `graphql` as a client of `tenant` sends it: with that tenant's credential unless `headers` bring one (`withCredential`). */
export async function graphqlAs(
  platform: TestPlatform,
  query: string,
  variables: Record<string, unknown> = {},
  tenant: string | undefined = 'acme',
  headers: Record<string, string> = {},
): Promise<GraphqlResponse> {
  const credential = await withCredential(
    platform,
    tenant === undefined ? headers : { 'X-Tenant-Id': tenant, ...headers },
  );
  return graphql(platform.urls['query-api']!, query, variables, tenant, credential);
}

/** `subscribe` as a client of `tenant` does: with that tenant's credential unless `headers` bring one. */
export async function subscribeAs(
  platform: TestPlatform,
  query: string,
  tenant = 'acme',
  headers: Record<string, string> = {},
): Promise<GraphqlSubscription> {
  return subscribe(
    platform.urls['query-api']!,
    query,
    tenant,
    await withCredential(platform, { 'X-Tenant-Id': tenant, ...headers }),
  );
}
