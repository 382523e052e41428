// Vite build of the web app. Element Plus components and their styles are
// imported on demand (only what the templates use), so the first page stays
// small; every screen is its own chunk, loaded when its route is opened.
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import AutoImport from 'unplugin-auto-import/vite'
import { ElementPlusResolver } from 'unplugin-vue-components/resolvers'

export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    AutoImport({ resolvers: [ElementPlusResolver()], dts: false }),
    Components({ resolvers: [ElementPlusResolver()], dts: false }),
  ],
  build: {
    // CMake passes the build tree's web/ folder; a plain `npm run build` writes dist/.
    outDir: process.env.SHOUHU_WEB_OUT || 'dist',
    emptyOutDir: true,
    manifest: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npm run dev`: the API of a local shouhud (deploy/shouhud.json listens on 8620).
    proxy: { '/api': process.env.SHOUHU_API || 'http://127.0.0.1:8620' },
  },
})
