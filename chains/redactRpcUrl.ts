/**
 * RPC URLs carry credentials in every part after the host: user:pass, the path (Infura, Alchemy,
 * QuickNode keys), the query (`?apikey=`), the fragment. Only scheme, host and port may ever reach
 * an error, a log, a status or workflow history.
 */

/** An RPC URL safe for logs and errors: scheme, host and port, nothing else. */
export function redactRpcUrl(raw: string): string {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    // An unparseable string may still hold a secret; say nothing about it.
    return '<invalid url>'
  }
  return `${url.protocol}//${url.host}`
}

// A URL inside free text: scheme, then everything up to whitespace or a quote/bracket that ends it.
const urlInText = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`)\]}]+/gi

/** Replaces every URL inside `text` by its scheme, host and port (a trailing `/…` marks what was cut). */
export function redactUrlsIn(text: string): string {
  return text.replace(urlInText, (match) => {
    const safe = redactRpcUrl(match)
    if (safe === '<invalid url>') return safe
    return safe.length < match.replace(/\/$/, '').length ? `${safe}/…` : safe
  })
}

/** Secret parts of configured URLs short enough to be ordinary words are not searched for alone. */
const minFragmentLength = 6

/**
 * A redactor for text that may quote configured RPC URLs in pieces (a node echoing its path, a
 * proxy naming the key it refused): every URL is cut to its origin, and every credential-bearing
 * fragment of the given URLs (userinfo, path, query and their parts) is masked wherever it appears.
 */
export function createRedactor(secretUrls: readonly string[]): (text: string) => string {
  const fragments = new Set<string>()
  for (const raw of secretUrls) {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      fragments.add(raw)
      continue
    }
    const add = (s: string) => {
      if (s.length >= minFragmentLength) fragments.add(s)
      const decoded = safeDecode(s)
      if (decoded.length >= minFragmentLength) fragments.add(decoded)
    }
    add(raw)
    add(url.username)
    add(url.password)
    if (url.pathname !== '/') add(url.pathname)
    for (const seg of url.pathname.split('/')) add(seg)
    add(url.search.replace(/^\?/, ''))
    for (const [key, value] of url.searchParams) {
      add(`${key}=${value}`)
      add(value)
    }
    add(url.hash.replace(/^#/, ''))
  }
  // Longest first, so a whole URL is masked before its pieces are.
  const ordered = [...fragments].sort((a, b) => b.length - a.length)
  return (text: string) => {
    let out = text
    for (const f of ordered) if (out.includes(f)) out = out.split(f).join('***')
    return redactUrlsIn(out)
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}
