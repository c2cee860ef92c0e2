/**
 * Response headers for every page (S27). Scripts run only with this response's nonce ('strict-dynamic'
 * lets them load Next's chunks); nothing may frame the app; HSTS and upgrade-insecure-requests only
 * where the app is served over https (the request's scheme, or APP_URL's behind a proxy that ends
 * TLS), so a plain-http development server keeps working. The Referrer-Policy is set per path in
 * next.config.mjs (token pages differ).
 */
export function contentSecurityPolicy(
  nonce: string,
  options: { https: boolean; development: boolean },
): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${options.development ? " 'unsafe-eval'" : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    // React writes a few style attributes (the strength bar's width); attributes cannot carry a nonce.
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    ...(options.https ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

export function securityHeaders(
  nonce: string,
  options: { https: boolean; development: boolean },
): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(nonce, options),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()',
    // Production only: a development server on https (next dev --experimental-https) must not pin
    // localhost to https for a year.
    ...(options.https && !options.development
      ? { 'Strict-Transport-Security': 'max-age=31536000; includeSubDomains' }
      : {}),
  };
}
