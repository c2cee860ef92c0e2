import createNextIntlPlugin from 'next-intl/plugin';

// Catalogues are compiled at build time (next-intl's experimental precompile): the browser then gets
// a small formatter instead of the ICU message parser: 8.7 of the layout's 18 KiB (gzip) on every page
// (decision 037). Tests and scripts outside the Next build read the plain JSON with the full parser.
const withNextIntl = createNextIntlPlugin({
  requestConfig: './lib/i18n/request.ts',
  experimental: { messages: { path: './lib/i18n/messages', format: 'json', precompile: true } },
});

/**
 * Hosts whose pages may call server actions, for Next's own check (it compares Origin with the Host
 * or X-Forwarded-Host a proxy passes on). APP_URL's host belongs there even when a proxy in front
 * rewrites Host; proxy.ts then holds every unsafe request to the same list by full origin (S25).
 * Read when the server starts; lib/env.ts validates the same variables.
 */
function serverActionOrigins() {
  const hosts = [];
  for (const origin of [process.env.APP_URL, ...(process.env.ALLOWED_ORIGINS ?? '').split(',')]) {
    try {
      if (origin?.trim()) hosts.push(new URL(origin.trim()).host);
    } catch {
      // lib/env.ts stops start-up with a message naming the bad variable.
    }
  }
  return hosts;
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  // A self-contained server in .next/standalone for the container image (Dockerfile, decision 028).
  output: 'standalone',
  poweredByHeader: false,
  // gzip of answers in this process (Next's default). HTTP_COMPRESSION=off where a reverse proxy or CDN
  // compresses already: zlib was about 5% of a sign-in's server CPU (issue 15, decision 036).
  compress: process.env.HTTP_COMPRESSION !== 'off',
  reactStrictMode: true,
  // Native and WebAssembly packages load from node_modules at run time instead of being bundled.
  serverExternalPackages: ['@electric-sql/pglite', '@node-rs/argon2', 'postgres', 'nodemailer'],
  // Migrations are read from disk at start-up: ship them with every server function (Vercel, standalone).
  outputFileTracingIncludes: { '/**': ['./drizzle/**/*'] },
  // forbidden() answers 403 with app/forbidden.tsx (S45).
  experimental: { authInterrupts: true, serverActions: { allowedOrigins: serverActionOrigins() } },
  async headers() {
    // Pages opened from a link in mail hold its token in a hidden field: never cached, never sent as a
    // referrer to another site (S35). The URL that held the token answered with a redirect and
    // no-referrer in proxy.ts; same-origin here keeps the Origin header on forms posted without JS.
    const tokenPage = [
      { key: 'Referrer-Policy', value: 'same-origin' },
      { key: 'Cache-Control', value: 'no-store' },
    ];
    return [
      { source: '/:path*', headers: [{ key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' }] },
      { source: '/verify-email', headers: tokenPage },
      { source: '/set-password', headers: tokenPage },
      { source: '/reset-password', headers: tokenPage },
      { source: '/email-change/confirm', headers: tokenPage },
      { source: '/email-change/not-me', headers: tokenPage },
    ];
  },
};

export default withNextIntl(nextConfig);
