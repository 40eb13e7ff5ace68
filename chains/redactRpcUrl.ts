// A path segment this long made only of key characters is treated as an API key (Infura,
// Alchemy, Ankr and QuickNode all put theirs in the path); shorter segments with both letters and
// digits are too, since real route names ("v2", "eth", "rpc") are short or plain words.
const keyLike = /^[A-Za-z0-9_-]{20,}$/
const mixedAlnum = /^(?=.*[0-9])(?=.*[A-Za-z])[A-Za-z0-9_-]{12,}$/

/** An RPC URL safe for logs and errors: no user:pass, no query or fragment, no key-like path segments. */
export function redactRpcUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    // An unparseable string may still hold a secret; say nothing about it.
    return '<invalid url>'
  }
  const path = url.pathname
    .split('/')
    .map((seg) => (keyLike.test(seg) || mixedAlnum.test(seg) ? '***' : seg))
    .join('/')
  const port = url.port ? `:${url.port}` : ''
  return `${url.protocol}//${url.hostname}${port}${path === '/' ? '' : path}`
}
