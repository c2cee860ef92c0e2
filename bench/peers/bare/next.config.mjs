import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Its own lockfile and node_modules: not the Gatehouse repository around it.
  turbopack: { root: here },
  outputFileTracingRoot: here,
};

export default nextConfig;
