import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

// `npm run dev` serves the app with hot reload and forwards the API paths the way Coinage.Web's YARP
// proxy does in production. The API address comes from the same service-discovery variable the
// AppHost gives Coinage.Web, so `services__apiservice__http__0=http://127.0.0.1:PORT npm run dev` works.
const apiTarget =
  process.env['services__apiservice__http__0'] ?? process.env['COINAGE_API_URL'] ?? 'http://127.0.0.1:5080';

export default defineConfig({
  plugins: [react()],
  build: {
    // Coinage.Web serves wwwroot/; the folder is build output only, so it is emptied on every build.
    outDir: '../wwwroot',
    emptyOutDir: true,
    // Content-hashed file names: Coinage.Web caches /assets/* for a year, immutable.
    assetsDir: 'assets',
    rolldownOptions: {
      output: {
        // Libraries change far less often than our code: their own chunks stay cached across releases.
        codeSplitting: {
          groups: [
            // Only the trade page draws charts: visitors of other pages never download the library.
            { name: 'charts', test: /node_modules[\\/](lightweight-charts|fancy-canvas)/, priority: 30 },
            // Only the pages that choose a password estimate its strength: the dictionaries load there.
            { name: 'password-strength', test: /node_modules[\\/](@zxcvbn-ts|fastest-levenshtein)/, priority: 30 },
            { name: 'mui', test: /node_modules[\\/](@mui|@emotion)/, priority: 20 },
            { name: 'vendor', test: /node_modules/, priority: 10 },
          ],
        },
      },
    },
  },
  server: {
    host: '127.0.0.1',
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: apiTarget, changeOrigin: true },
      '/hubs': { target: apiTarget, changeOrigin: true, ws: true },
      '/ws': { target: apiTarget, changeOrigin: true, ws: true },
    },
  },
  preview: {
    host: '127.0.0.1',
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    restoreMocks: true,
    // Component tests render whole pages and type key by key; on a busy 2-core CI machine 5 s is not enough.
    testTimeout: 30_000,
    // CI counts results from the JUnit report.
    reporters: ['default', 'junit'],
    outputFile: { junit: './test-results/junit.xml' },
  },
});
