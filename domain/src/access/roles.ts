/**
 * A role a key may hold: `reader`, `writer` or `admin`, for every context or for one
 * (`writer:inventory`; alias contexts such as `writer:frontend` too), or one of the
 * permissions `act-as` (name another actor through `X-Actor`) and `platform-operator` (act
 * for other tenants). The same grammar as the service kit's `parseRoles`, which gives them
 * their meaning; the context is only checked for its shape, as a context may come later than
 * the key that names it.
 */
export const ROLE_PATTERN = /^(?:(?:reader|writer|admin)(?::[a-z][a-z0-9-]{0,62})?|act-as|platform-operator)$/;

export const ROLE_GRAMMAR = 'reader, writer or admin, optionally :<context>; or act-as, platform-operator';
