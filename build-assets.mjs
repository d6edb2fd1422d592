// Builds the front-end into app/static/dist/ (generated, git-ignored):
//   app.css               GOV.UK Frontend + app/assets/scss/app.scss, compressed, Arial, no crown font
//   govuk-frontend.min.js GOV.UK Frontend's JavaScript, copied as shipped
//   init.js               the ES module that starts it (a file, because the CSP forbids inline scripts)
//   assets/               GOV.UK images and manifest (the GDS Transport fonts are left out)
//   favicon.svg           our own icon, so no crown appears in the browser tab
// Run with `node build-assets.mjs` (or `npm run build`).
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as sass from 'sass'

const root = dirname(fileURLToPath(import.meta.url))
const govuk = join(root, 'node_modules', 'govuk-frontend', 'dist', 'govuk')
const scssDir = join(root, 'app', 'assets', 'scss')
const dist = join(root, 'app', 'static', 'dist')
// Where app/static/dist/assets is served (app.main mounts app/static at /static).
const assetsUrl = '/static/dist/assets/'

rmSync(dist, { recursive: true, force: true })
mkdirSync(dist, { recursive: true })

// The settings are given once, on the first @use; app.scss then sees the configured module.
const entry = `
@use "govuk-frontend/dist/govuk" with (
  $govuk-font-family: (arial, sans-serif),
  $govuk-include-default-font-face: false,
  $govuk-assets-path: "${assetsUrl}"
);
@use "app";
`
const result = sass.compileString(entry, {
  url: pathToFileURL(join(scssDir, '_entry.scss')),
  loadPaths: [join(root, 'node_modules'), scssDir],
  style: 'compressed',
  quietDeps: true,
  silenceDeprecations: ['import'],
})
if (/GDS Transport/.test(result.css)) {
  throw new Error('app.css still names GDS Transport: check $govuk-font-family')
}
writeFileSync(join(dist, 'app.css'), result.css + '\n')

cpSync(join(govuk, 'govuk-frontend.min.js'), join(dist, 'govuk-frontend.min.js'))
mkdirSync(join(dist, 'assets'), { recursive: true })
cpSync(join(govuk, 'assets', 'images'), join(dist, 'assets', 'images'), { recursive: true })
cpSync(join(govuk, 'assets', 'manifest.json'), join(dist, 'assets', 'manifest.json'))

writeFileSync(
  join(dist, 'init.js'),
  "import { initAll } from './govuk-frontend.min.js'\n\ninitAll()\n",
)

writeFileSync(
  join(dist, 'favicon.svg'),
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">' +
    '<rect width="32" height="32" rx="4" fill="#1d70b8"/>' +
    '<text x="16" y="23" font-family="arial, sans-serif" font-size="20" font-weight="700" ' +
    'fill="#fff" text-anchor="middle">R</text></svg>\n',
)

console.log(`Built ${dist} (app.css ${(result.css.length / 1024).toFixed(0)} KiB)`)
