import path from 'node:path';
import { fileURLToPath } from 'node:url';

// next, react and react-dom come from the repository's node_modules, two levels up.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  turbopack: { root },
  outputFileTracingRoot: root,
};

export default nextConfig;
